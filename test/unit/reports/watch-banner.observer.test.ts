import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConsoleWatchBanner } from '../../../src/adapters/reports/watch-banner.observer.js';
import { packageVersion } from '../../../src/adapters/shared/version.js';
import type { RegistrySettings } from '../../../src/adapters/registry/registry-settings.js';
import { aJob } from '../../builders/jobs.js';

const settings: RegistrySettings = {
  url: 'https://robot:s3cret-pass@registry.example.com:5000/mirror',
  credentials: { username: 'robot', password: 'other-secret' },
  timeoutMs: 20_000,
  maxConcurrentRequests: 20,
  insecure: false,
  httpLogs: false,
};

function banner(dryRun: boolean): string {
  let text = '';
  const out = { write: (chunk: string) => (text += chunk) };
  new ConsoleWatchBanner(out, settings, 'cache').watchStarted(
    [
      {
        job: aJob({ name: 'clean-dev', cleanEveryHours: 6 }),
        next: { kind: 'now', reason: 'never-run' },
      },
      {
        job: aJob({ name: 'nightly', schedule: '30 3 * * *' }),
        next: { kind: 'at', at: new Date('2026-06-02T03:29:59.001Z'), reason: 'cron' },
      },
      {
        job: aJob({ name: 'broken', schedule: '30 0 3 ? * L' }),
        next: { kind: 'never', reason: 'cron-never-fires' },
      },
    ],
    dryRun,
  );
  return text;
}

describe('ConsoleWatchBanner (issue 15: the --watch start-up banner)', () => {
  it('shows the version, the registry host, the state folder and each job with its next run', () => {
    const text = banner(false);
    assert.equal(
      text,
      [
        `reg-cleaner ${packageVersion()} watch mode`,
        '  registry  https://registry.example.com:5000',
        `  state     ${resolve('cache')}`,
        '  jobs      3',
        '    clean-dev  every 6 h          next run now (never run for real)',
        '    nightly    cron 30 3 * * *    next run 2026-06-02T03:30:00Z',
        '    broken     cron 30 0 3 ? * L  cannot be planned: the cron expression has no next firing',
        '',
      ].join('\n'),
    );
    assert.doesNotMatch(text, /robot|s3cret|other-secret/);
  });

  it('reads a short interval in seconds, not as a fraction of an hour (issue 27)', () => {
    let text = '';
    const out = { write: (chunk: string) => (text += chunk) };
    new ConsoleWatchBanner(out, settings, 'cache').watchStarted(
      [
        {
          job: aJob({ name: 'quick', cleanEveryHours: 0.002 }),
          next: { kind: 'now', reason: 'never-run' },
        },
      ],
      false,
    );
    assert.match(text, /quick {2}every 7 s {2}next run now/);
    assert.doesNotMatch(text, /0\.002/);
  });

  it('says when the watch is a dry run', () => {
    assert.match(banner(true), /watch mode \(dry run: nothing is deleted\)\n/);
  });
});
