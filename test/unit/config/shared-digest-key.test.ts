import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
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

describe('jobs files: shared_digest (issue 21)', () => {
  it('reads keep and untag into the job, in both files; absent means keep', () => {
    for (const fileName of ['manual.yaml', 'jobs.yaml']) {
      const hours = fileName === 'jobs.yaml' ? '  clean_every_n_hours: 24\n' : '';
      for (const value of ['keep', 'untag']) {
        const config = withJobs(fileName, `  shared_digest: ${value}\n${hours}`, loadOk);
        const job = fileName === 'jobs.yaml' ? config.watchJobs[0] : config.manualJobs[0];
        assert.equal(job?.sharedDigest, value, `${fileName} ${value}`);
      }
    }
    const job = withJobs('manual.yaml', '', (dir) => loadOk(dir).manualJobs[0]);
    assert.equal(job?.sharedDigest, undefined);
  });

  it('an unknown value names file, job and key, and lists the values', () => {
    for (const value of ['delete', 'Untag']) {
      withJobs('manual.yaml', `  shared_digest: ${value}\n`, (dir) => {
        const error = loadFails(dir);
        assert.equal(
          lineFor(error, join(dir, 'manual.yaml'), 'shared_digest', 'releases'),
          `${join(dir, 'manual.yaml')}: job "releases" field shared_digest: must be one of keep, untag`,
          value,
        );
      });
    }
  });
});
