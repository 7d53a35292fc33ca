import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, selectJobs } from '../../../src/adapters/config/index.js';
import { loadOk, SHIPPED_CONFIG } from './config-test-support.js';

const config = loadOk(
  SHIPPED_CONFIG,
  { REGISTRY_USERNAME: 'u', REGISTRY_PASSWORD: 'p' },
  { watch: true, manual: true },
);

describe('selectJobs', () => {
  it('watch mode runs every job of jobs.yaml', () => {
    assert.equal(selectJobs(config, 'watch', []), config.watchJobs);
  });

  it('a one-shot run without names runs every job of manual.yaml', () => {
    assert.equal(selectJobs(config, 'manual', []), config.manualJobs);
  });

  it('--jobs picks the named jobs, in the order given, each once', () => {
    const jobs = selectJobs(config, 'manual', [
      'clean-prod-older-15',
      'clean-dev-tags',
      'clean-prod-older-15',
    ]);
    assert.deepEqual(
      jobs.map((job) => job.name),
      ['clean-prod-older-15', 'clean-dev-tags'],
    );
  });

  it('an unknown name is a problem naming manual.yaml and listing the known jobs', () => {
    assert.throws(
      () => selectJobs(config, 'manual', ['clean-dev-tags', 'nope']),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 1);
        assert.equal(
          error.format().split('\n')[1]?.trim(),
          `${join(SHIPPED_CONFIG, 'manual.yaml')}: --jobs names "nope", which manual.yaml does not declare (known jobs: clean-dev-tags, clean-prod-older-15)`,
        );
        return true;
      },
    );
  });

  it('suggests the closest job name', () => {
    assert.throws(
      () => selectJobs(config, 'manual', ['clean-dev-tag']),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(
          error.format(),
          /--jobs names "clean-dev-tag", which manual\.yaml does not declare; did you mean "clean-dev-tags"\? \(known jobs: clean-dev-tags, clean-prod-older-15\)/,
        );
        return true;
      },
    );
  });

  it('says when the name is a job of jobs.yaml, which only --watch runs', () => {
    assert.throws(
      () => selectJobs(config, 'manual', ['clean-feature-branches']),
      /"clean-feature-branches", which manual\.yaml does not declare; it is a job of jobs\.yaml, which only --watch runs/,
    );
  });
});
