import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const MAIN = fileURLToPath(new URL('../../../src/main.js', import.meta.url));

// The process, not just parseCommandLine: --help and --version must work on a bare
// environment, before any config file or environment variable is looked at.
describe('reg-cleaner --help / --version as a process', () => {
  for (const flag of ['--help', '--version']) {
    it(`${flag} needs no config and no environment variable`, () => {
      const result = spawnSync(process.execPath, [MAIN, flag], {
        cwd: '/',
        env: { PATH: process.env.PATH ?? '' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stderr, '');
      assert.ok(result.stdout.length > 0);
    });
  }

  it('--watch --jobs exits 2 with the message on stderr', () => {
    const result = spawnSync(process.execPath, [MAIN, '--watch', '--jobs', 'x'], {
      cwd: '/',
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--watch and --jobs cannot be used together/);
  });
});
