import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { matchesPattern } from '../../../src/domain/job.js';
import { lineFor, loadFails, loadOk, tempConfigDir } from './config-test-support.js';

const CONFIG = 'registry_url: https://r.example.com\n';
const JOB =
  '- name: releases\n  repositories: [team/app]\n  tag_regexps: [v]\n  save_last: 2\n  older_than_days: 7\n';

function withJobs<T>(fileName: string, extra: string, test: (dir: string) => T): T {
  const temp = tempConfigDir({ 'config.yaml': CONFIG, [fileName]: `${JOB}${extra}` });
  try {
    return test(temp.dir);
  } finally {
    temp.remove();
  }
}

describe('jobs files: order_by and keep_regexps (issue 22)', () => {
  it('reads order_by and keep_regexps (anchored at the start) into the job, in both files', () => {
    for (const fileName of ['manual.yaml', 'jobs.yaml']) {
      const extra =
        '  order_by: semver\n  keep_regexps: [".*-pinned", hotfix-]\n' +
        (fileName === 'jobs.yaml' ? '  clean_every_n_hours: 24\n' : '');
      const config = withJobs(fileName, extra, (dir) => loadOk(dir));
      const job = fileName === 'jobs.yaml' ? config.watchJobs[0] : config.manualJobs[0];
      assert.ok(job !== undefined, fileName);
      assert.equal(job.orderBy, 'semver');
      const [pinned, hotfix] = job.keepPatterns ?? [];
      assert.ok(pinned !== undefined && hotfix !== undefined);
      assert.ok(matchesPattern(pinned, 'v1-pinned'));
      assert.ok(matchesPattern(hotfix, 'hotfix-1'));
      assert.ok(!matchesPattern(hotfix, 'v1-hotfix-1'), 'anchored at the start');
    }
  });

  it('leaves both out when absent (created order, nothing protected)', () => {
    const job = withJobs('manual.yaml', '', (dir) => loadOk(dir).manualJobs[0]);
    assert.ok(job !== undefined);
    assert.equal(job.orderBy, undefined);
    assert.equal(job.keepPatterns, undefined);
  });

  it('an unknown order_by names file, job and key, and lists the orders', () => {
    withJobs('manual.yaml', '  order_by: version\n', (dir) => {
      const error = loadFails(dir);
      assert.equal(
        lineFor(error, join(dir, 'manual.yaml'), 'order_by', 'releases'),
        `${join(dir, 'manual.yaml')}: job "releases" field order_by: must be one of created, semver, natural`,
      );
    });
  });

  it('keep_regexps entries get the tag_regexps messages and Python hints', () => {
    withJobs('manual.yaml', '  keep_regexps: [ok, "(?P<v>x)", "build-["]\n', (dir) => {
      const error = loadFails(dir);
      const file = join(dir, 'manual.yaml');
      assert.match(
        lineFor(error, file, 'keep_regexps[1]', 'releases'),
        /invalid regular expression "\(\?P<v>x\)".*write \(\?<name>\.\.\.\)/,
      );
      assert.match(
        lineFor(error, file, 'keep_regexps[2]', 'releases'),
        /invalid regular expression "build-\[": Unterminated character class/,
      );
      assert.equal(error.problems.length, 2);
    });
  });

  it('keep_regexps that is not a list, or holds a non-string, is refused', () => {
    withJobs('manual.yaml', '  keep_regexps: ".*-pinned"\n', (dir) => {
      const error = loadFails(dir);
      assert.match(
        lineFor(error, join(dir, 'manual.yaml'), 'keep_regexps', 'releases'),
        /must be a list/,
      );
    });
    withJobs('manual.yaml', '  keep_regexps: [12]\n', (dir) => {
      const error = loadFails(dir);
      assert.match(
        lineFor(error, join(dir, 'manual.yaml'), 'keep_regexps[0]', 'releases'),
        /must be a string/,
      );
    });
  });
});
