import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  fixture,
  lineFor,
  loadFails,
  loadOk,
  SHIPPED_CONFIG,
  tempConfigDir,
  VALID_JOB,
} from './config-test-support.js';

const SHIPPED_ENV = { REGISTRY_USERNAME: 'cleaner', REGISTRY_PASSWORD: 'shipped-example-secret' };

describe('loadConfig: the shipped examples', () => {
  it('loads config/ with the variables it documents', () => {
    const config = loadOk(SHIPPED_CONFIG, SHIPPED_ENV, { watch: true, manual: true });
    assert.equal(config.registry.url, 'https://your.registry.com');
    assert.deepEqual(config.registry.credentials, {
      username: 'cleaner',
      password: 'shipped-example-secret',
    });
    assert.equal(config.registry.proxy, undefined);
    assert.equal(config.registry.timeoutMs, 20_000);
    assert.equal(config.registry.maxConcurrentRequests, 20);
    assert.equal(config.registry.insecure, false);
    assert.deepEqual(
      config.watchJobs.map((job) => job.name),
      ['clean-dev-tags', 'clean-feature-branches'],
    );
    assert.deepEqual(
      config.manualJobs.map((job) => job.name),
      ['clean-dev-tags', 'clean-prod-older-15'],
    );
    const [devTags, nightly] = config.watchJobs;
    assert.ok(devTags !== undefined);
    assert.equal(devTags.cleanEveryHours, 24);
    assert.equal(devTags.saveLast, 5);
    assert.equal(devTags.olderThanDays, 5);
    assert.deepEqual(
      devTags.tagPatterns.map((pattern) => pattern.source),
      ['v5\\.\\d+\\.\\d+-dev$', 'develop-[\\d\\w]+$'],
    );
    assert.equal(nightly?.schedule, '30 3 * * *');
    assert.ok(
      config.manualJobs.every((job) => job.cleanEveryHours === 0 && job.schedule === undefined),
    );
    assert.equal(config.files?.manualJobs, join(SHIPPED_CONFIG, 'manual.yaml'));
  });

  it('names the variables it needs, and only those, when they are not set', () => {
    const error = loadFails(SHIPPED_CONFIG, {}, { watch: true, manual: false });
    assert.equal(error.problems.length, 2);
    assert.match(
      lineFor(error, join(SHIPPED_CONFIG, 'config.yaml'), 'username'),
      /REGISTRY_USERNAME is not set/,
    );
    assert.match(
      lineFor(error, join(SHIPPED_CONFIG, 'config.yaml'), 'password'),
      /REGISTRY_PASSWORD is not set/,
    );
  });
});

describe('loadConfig: config.yaml', () => {
  it('applies the defaults and strips a trailing slash and /v2 from registry_url', () => {
    const config = loadOk(fixture('minimal'));
    assert.deepEqual(config.registry, {
      url: 'http://localhost:5000',
      timeoutMs: 20_000,
      maxConcurrentRequests: 20,
      insecure: false,
      credentialsFrom: 'none (no username/password in config.yaml, no Docker config)',
    });
    assert.deepEqual(config.watchJobs, []);
    assert.deepEqual(config.manualJobs, []);
  });

  it('accepts .yml, the range limits, insecure and a ca_file relative to the config folder', () => {
    const dir = fixture('repositories');
    const config = loadOk(dir);
    assert.equal(config.registry.url, 'https://registry.example.com:5443');
    assert.equal(config.registry.timeoutMs, 1000);
    assert.equal(config.registry.maxConcurrentRequests, 1000);
    assert.equal(config.registry.insecure, true);
    assert.equal(config.registry.caFile, join(dir, 'certs', 'ca.pem'));
  });

  it('reports a ca_file that does not exist, relative to the config folder', () => {
    const dir = fixture('missing-ca-file');
    const error = loadFails(dir);
    assert.match(
      lineFor(error, join(dir, 'config.yaml'), 'ca_file'),
      /missing-ca-file\/no-such-ca\.pem does not exist/,
    );
  });

  for (const [key, value, expected] of [
    ['timeout', 0, /must be between 1 and 120 seconds, got 0/],
    ['timeout', 121, /must be between 1 and 120 seconds, got 121/],
    ['max_concurrent_requests', 0, /must be between 1 and 1000, got 0/],
    ['max_concurrent_requests', 1001, /must be between 1 and 1000, got 1001/],
    ['max_requests_per_second', 0, /must be a number of requests per second above 0, got 0/],
    ['max_requests_per_second', -3, /above 0, got -3/],
    ['max_requests_per_second', 200000, /must be at most 100000/],
    ['retry_base_delay', 0, /must be between 0.01 and 60 seconds, got 0/],
    ['retry_base_delay', 61, /must be between 0.01 and 60 seconds, got 61/],
  ] as const) {
    it(`rejects ${key}: ${value} rather than clamping it`, () => {
      const temp = tempConfigDir({
        'config.yaml': `registry_url: https://r.example.com\n${key}: ${value}\n`,
      });
      try {
        const error = loadFails(temp.dir);
        assert.equal(error.problems.length, 1);
        assert.match(lineFor(error, join(temp.dir, 'config.yaml'), key), expected);
      } finally {
        temp.remove();
      }
    });
  }

  /** The registry settings of a config.yaml holding the URL and `line`. */
  function registryWith(line: string): ReturnType<typeof loadOk>['registry'] {
    const temp = tempConfigDir({ 'config.yaml': `registry_url: https://r.example.com\n${line}` });
    try {
      return loadOk(temp.dir).registry;
    } finally {
      temp.remove();
    }
  }

  it('max_requests_per_second is optional and may be a fraction', () => {
    for (const [line, expected] of [
      ['', undefined],
      ['max_requests_per_second: 0.5\n', 0.5],
      ['max_requests_per_second: 40\n', 40],
    ] as const) {
      assert.equal(registryWith(line).maxRequestsPerSecond, expected);
    }
  });

  it('retry_base_delay is optional, in seconds, and may be a fraction', () => {
    for (const [line, expected] of [
      ['', undefined],
      ['retry_base_delay: 0.05\n', 50],
      ['retry_base_delay: 2\n', 2000],
    ] as const) {
      assert.equal(registryWith(line).retryBaseDelayMs, expected);
    }
  });

  it('reports unknown keys with a suggestion', () => {
    const dir = fixture('unknown-keys');
    const error = loadFails(dir);
    assert.match(
      lineFor(error, join(dir, 'config.yaml'), 'timout'),
      /unknown key \(did you mean timeout\?\)/,
    );
  });

  it('reports wrong types, including a non-http registry_url, in one go', () => {
    const dir = fixture('wrong-types');
    const error = loadFails(dir);
    const file = join(dir, 'config.yaml');
    assert.match(lineFor(error, file, 'timeout'), /must be a number/);
    assert.match(lineFor(error, file, 'max_concurrent_requests'), /must be an integer/);
    assert.match(lineFor(error, file, 'insecure'), /must be a boolean/);
    assert.match(lineFor(error, file, 'registry_url'), /must be an http:\/\/ or https:\/\/ URL/);
  });

  it('reports a missing registry_url and never shows the password', () => {
    const dir = fixture('missing-keys');
    const error = loadFails(dir);
    assert.match(lineFor(error, join(dir, 'config.yaml'), 'registry_url'), /is required/);
    assert.ok(!error.format().includes('not-shown-anywhere'));
  });

  it('reports YAML syntax errors with line and column, without quoting the source', () => {
    const dir = fixture('invalid-yaml');
    const error = loadFails(dir);
    assert.match(
      lineFor(error, join(dir, 'config.yaml'), undefined),
      /invalid YAML at line \d+, column \d+: Missing closing "quote/,
    );
    assert.match(
      lineFor(error, join(dir, 'jobs.yaml'), undefined),
      /invalid YAML at line 3, column 3/,
    );
    assert.ok(!error.format().includes('hunter2'), 'a YAML error must not quote a password line');
  });

  it('names a tab in the indentation once, with its line and column (issue 27)', () => {
    const temp = tempConfigDir({
      'config.yaml': 'registry_url: https://r.example.com\nreports:\n  enabled: true\n\tdir: out\n',
    });
    try {
      const error = loadFails(temp.dir);
      assert.equal(error.problems.length, 1);
      assert.match(
        lineFor(error, join(temp.dir, 'config.yaml'), undefined),
        /invalid YAML at line 4, column 1: a tab in the indentation/,
      );
    } finally {
      temp.remove();
    }
  });

  it('rejects both config.yaml and config.yml, naming both', () => {
    const dir = fixture('both-extensions');
    const error = loadFails(dir);
    const line = lineFor(error, join(dir, 'config.yaml'), undefined);
    assert.ok(
      line.includes(join(dir, 'config.yaml')) && line.includes(join(dir, 'config.yml')),
      line,
    );
  });

  it('names a config folder that does not exist', () => {
    const error = loadFails(fixture('no-such-folder'));
    assert.equal(error.problems.length, 1);
    assert.match(
      lineFor(error, fixture('no-such-folder'), undefined),
      /config folder not found \(set it with --config-dir\)/,
    );
  });

  it('requires config.yaml', () => {
    const temp = tempConfigDir({ 'manual.yaml': VALID_JOB });
    try {
      const error = loadFails(temp.dir);
      assert.match(lineFor(error, join(temp.dir, 'config.yaml'), undefined), /not found/);
    } finally {
      temp.remove();
    }
  });

  it('rejects a directory where a file should be (a Docker bind mount of a missing file)', () => {
    const temp = tempConfigDir({
      'config.yaml': 'registry_url: https://r.example.com\n',
      'jobs.yaml': null,
    });
    try {
      const error = loadFails(temp.dir, {}, { watch: true, manual: false });
      assert.equal(error.problems.length, 1);
      assert.match(lineFor(error, join(temp.dir, 'jobs.yaml'), undefined), /is a directory/);
    } finally {
      temp.remove();
    }
  });

  it('rejects an empty file', () => {
    const dir = fixture('empty-file');
    const error = loadFails(dir);
    assert.match(lineFor(error, join(dir, 'jobs.yaml'), undefined), /is empty/);
  });

  it('reports a config.yaml that cannot be read', async () => {
    const { symlinkSync } = await import('node:fs');
    const temp = tempConfigDir({});
    try {
      // A regular file whose every read fails, for root too (CI runs as root, who reads a
      // chmod 000 file): /proc/self/mem has nothing mapped at offset 0, so read() gives EIO.
      symlinkSync('/proc/self/mem', join(temp.dir, 'config.yaml'));
      const error = loadFails(temp.dir);
      assert.match(lineFor(error, join(temp.dir, 'config.yaml'), undefined), /cannot be read: EIO/);
    } finally {
      temp.remove();
    }
  });

  it('rejects a config.yaml that is not a mapping', () => {
    const temp = tempConfigDir({ 'config.yaml': '- registry_url: https://r.example.com\n' });
    try {
      const error = loadFails(temp.dir);
      assert.match(lineFor(error, join(temp.dir, 'config.yaml'), undefined), /must be a mapping/);
    } finally {
      temp.remove();
    }
  });
});

describe('loadConfig: the mode decides which jobs file is required', () => {
  it('watch mode needs jobs.yaml', () => {
    const dir = fixture('minimal');
    const error = loadFails(dir, {}, { watch: true, manual: false });
    assert.match(
      lineFor(error, join(dir, 'jobs.yaml'), undefined),
      /not found \(--watch runs the jobs of this file\)/,
    );
  });

  it('a one-shot run needs manual.yaml', () => {
    const dir = fixture('minimal');
    const error = loadFails(dir, {}, { watch: false, manual: true });
    assert.equal(error.problems.length, 1);
    assert.match(lineFor(error, join(dir, 'manual.yaml'), undefined), /not found/);
  });

  it('an absent jobs file is fine when the mode does not need it', () => {
    const config = loadOk(fixture('minimal'), {}, { watch: false, manual: false });
    assert.deepEqual(config.manualJobs, []);
  });

  it('a needed file with an empty list declares no jobs', () => {
    const temp = tempConfigDir({
      'config.yaml': 'registry_url: https://r.example.com\n',
      'manual.yaml': '[]\n',
    });
    try {
      const error = loadFails(temp.dir, {}, { watch: false, manual: true });
      assert.match(lineFor(error, join(temp.dir, 'manual.yaml'), undefined), /declares no jobs/);
    } finally {
      temp.remove();
    }
  });
});

describe('loadConfig: every problem of every file at once', () => {
  it('lists config.yaml, jobs.yaml and manual.yaml problems together', () => {
    const dir = fixture('across-files');
    const error = loadFails(dir, {}, { watch: true, manual: true });
    assert.match(lineFor(error, join(dir, 'config.yaml'), 'timeout'), /between 1 and 120/);
    assert.match(
      lineFor(error, join(dir, 'jobs.yaml'), 'tag_regexps[0]', 'clean-dev'),
      /invalid regular expression "\(unclosed": Unterminated group/,
    );
    assert.match(
      lineFor(error, join(dir, 'jobs.yaml'), 'schedule', 'clean-dev'),
      /invalid cron expression: .*got value 61 expected range 0-59/,
    );
    assert.match(
      lineFor(error, join(dir, 'manual.yaml'), 'repositories', 'once'),
      /at least one entry/,
    );
    assert.match(
      lineFor(error, join(dir, 'manual.yaml'), 'save_last', 'once'),
      /greater than or equal to 0/,
    );
    assert.equal(error.problems.length, 5);
    assert.match(error.format(), /^Invalid configuration \(5 problems\):\n/);
  });
});
