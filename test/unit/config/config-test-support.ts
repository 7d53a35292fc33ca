import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppConfig } from '../../../src/adapters/config/app-config.js';
import { ConfigError, type ConfigNeeds, loadConfig } from '../../../src/adapters/config/index.js';

/** Tests run from build/test/unit/config: the sources (fixtures, shipped examples) live at the repo root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const SHIPPED_CONFIG = join(REPO_ROOT, 'config');

export function fixture(name: string): string {
  return join(REPO_ROOT, 'test', 'fixtures', 'config', name);
}

export const NO_NEEDS: ConfigNeeds = { watch: false, manual: false };

/** A temporary config folder with the given files (a value of null makes a directory). */
export function tempConfigDir(files: Readonly<Record<string, string | null>>): {
  dir: string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'reg-cleaner-config-'));
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    if (content === null) {
      mkdirSync(path, { recursive: true });
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
    }
  }
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A home without a Docker config: the credentials of whoever runs the tests are never read
 * (a test that wants one sets DOCKER_CONFIG or HOME in `env`).
 */
export const NO_DOCKER_HOME = '/nonexistent/reg-cleaner-test-home';

export function loadOk(
  dir: string,
  env: NodeJS.ProcessEnv = {},
  needs: ConfigNeeds = NO_NEEDS,
): AppConfig {
  return loadConfig(dir, { HOME: NO_DOCKER_HOME, ...env }, needs);
}

/** Loads a folder that must be rejected and returns the error. */
export function loadFails(
  dir: string,
  env: NodeJS.ProcessEnv = {},
  needs: ConfigNeeds = NO_NEEDS,
): ConfigError {
  try {
    loadConfig(dir, { HOME: NO_DOCKER_HOME, ...env }, needs);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${dir} to be rejected`);
}

/** The formatted line of the one problem about `file` + `field` (+ job); fails when absent. */
export function lineFor(
  error: ConfigError,
  file: string,
  field: string | undefined,
  job?: string,
): string {
  const lines = error
    .format()
    .split('\n')
    .map((line) => line.trim());
  const found = lines.find(
    (line) =>
      line.startsWith(`${file}:`) &&
      (field === undefined || line.includes(` field ${field}: `)) &&
      (job === undefined || line.includes(`job ${job.startsWith('#') ? job : `"${job}"`}`)),
  );
  assert.ok(found, `no problem for ${file} ${job ?? ''} ${field ?? ''} in:\n${error.format()}`);
  return found;
}

export const VALID_JOB = `- name: clean-dev
  repositories: [app]
  tag_regexps: [dev-]
  save_last: 1
  older_than_days: 1
  clean_every_n_hours: 1
`;
