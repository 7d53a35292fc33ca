import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppConfig } from '../../../src/adapters/config/app-config.js';
import { ConfigError } from '../../../src/adapters/config/index.js';
import { describeValidConfig, summarizeJob } from '../../../src/adapters/cli/check-config.js';
import { aJob } from '../../builders/index.js';

const devJob = aJob({
  name: 'clean-dev-tags',
  repositories: ['team/app', 'r/svc-/'],
  tagPatterns: ['dev-', 'release-'],
  saveLast: 2,
  olderThanDays: 5,
});
const watchJob = aJob({ name: 'nightly', cleanEveryHours: 24, saveLast: 0, olderThanDays: 30 });

function config(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    configDir: 'config',
    registry: {
      url: 'https://registry.example.com',
      credentials: { username: 'cleaner', password: 's3cret-password' },
      proxy: 'http://proxyuser:proxy-secret@proxy.example.com:3128',
      timeoutMs: 20_000,
      maxConcurrentRequests: 20,
      insecure: false,
    },
    watchJobs: [watchJob],
    manualJobs: [devJob, aJob({ name: 'other' })],
    files: {
      config: 'config/config.yaml',
      watchJobs: 'config/jobs.yaml',
      manualJobs: 'config/manual.yaml',
    },
    ...overrides,
  };
}

describe('--check-config summary', () => {
  it('summarises a job on one line: where, which tags, the age, what it keeps, when', () => {
    assert.equal(
      summarizeJob(devJob),
      'clean-dev-tags: in team/app, r/svc-/, deletes tags matching dev- or release- older than 5 days, keeping the 2 newest of them per tag pattern',
    );
    assert.equal(
      summarizeJob(watchJob),
      'nightly: in team/app, deletes tags matching .* older than 30 days; every 24 h',
    );
    assert.match(
      summarizeJob(aJob({ cleanEveryHours: 0, schedule: '30 3 * * *' })),
      /; on the schedule "30 3 \* \* \*"$/,
    );
    assert.match(
      summarizeJob(aJob({ repositories: ['a', 'b', 'c', 'd', 'e'] })),
      /in a, b, c and 2 more,/,
    );
  });

  it('shows the order save_last counts in, and the tags it never deletes (issue 22)', () => {
    assert.equal(
      summarizeJob(
        aJob({
          name: 'r',
          tagPatterns: ['v'],
          saveLast: 3,
          orderBy: 'semver',
          keepPatterns: ['.*-pinned', 'hotfix-'],
        }),
      ),
      'r: in team/app, deletes tags matching v older than 5 days, keeping the 3 highest by semver of them per tag pattern; never deletes tags matching .*-pinned or hotfix- nor tags that are not versions',
    );
    assert.match(
      summarizeJob(aJob({ saveLast: 2, orderBy: 'natural' })),
      /keeping the 2 highest in natural order of them per tag pattern$/,
    );
    assert.match(
      summarizeJob(aJob({ saveLast: 2, orderBy: 'created' })),
      /keeping the 2 newest of them/,
    );
  });

  it('lists both files, the registry with its user, and never a password', () => {
    const text = describeValidConfig(config(), { watch: false, jobs: [], namedJobs: false });
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], 'The config folder config is valid.');
    assert.equal(
      lines[1],
      'registry: https://registry.example.com (as user "cleaner", through the proxy http://proxy.example.com:3128/)',
    );
    assert.equal(lines[2], 'config/jobs.yaml (--watch): 1 job');
    assert.match(lines[3] ?? '', /^ {2}- nightly: /);
    assert.equal(lines[4], 'config/manual.yaml (one-shot runs): 2 jobs');
    assert.match(lines[5] ?? '', /^ {2}- clean-dev-tags: /);
    assert.match(lines[6] ?? '', /^ {2}- other: /);
    assert.equal(lines.at(-1), 'Nothing was sent to the registry.');
    assert.doesNotMatch(text, /s3cret|proxy-secret|proxyuser/);
  });

  it('with --watch lists jobs.yaml only; with --jobs only the named jobs', () => {
    const watch = describeValidConfig(config(), { watch: true, jobs: [], namedJobs: false });
    assert.match(watch, /nightly/);
    assert.doesNotMatch(watch, /manual\.yaml|clean-dev-tags/);
    const named = describeValidConfig(config(), { watch: false, jobs: [devJob], namedJobs: true });
    assert.match(named, /config\/manual\.yaml \(one-shot runs\), the jobs --jobs names: 1 job/);
    assert.doesNotMatch(named, /nightly|other/);
  });

  it('says anonymous, and warns about insecure', () => {
    const text = describeValidConfig(
      config({
        registry: {
          url: 'http://127.0.0.1:5000',
          timeoutMs: 1000,
          maxConcurrentRequests: 1,
          insecure: true,
        },
      }),
      { watch: false, jobs: [], namedJobs: false },
    );
    assert.match(text, /registry: http:\/\/127\.0\.0\.1:5000 \(anonymous, TLS NOT verified/);
  });

  it('refuses a folder without any jobs file', () => {
    assert.throws(
      () =>
        describeValidConfig(
          config({ watchJobs: [], manualJobs: [], files: { config: 'config/config.yaml' } }),
          { watch: false, jobs: [], namedJobs: false },
        ),
      (error: unknown) => error instanceof ConfigError && /holds no jobs file/.test(error.format()),
    );
  });
});
