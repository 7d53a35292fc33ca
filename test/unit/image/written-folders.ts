// The folders reg-cleaner writes when no flag or key moves them, read from the tool itself
// (its command-line defaults and the reports section's default), so that the Dockerfile and
// deployment tests follow a new default instead of repeating today's list.
import assert from 'node:assert/strict';
import { posix } from 'node:path';
import { parseCommandLine } from '../../../src/adapters/cli/command-line.js';
import { DEFAULT_REPORTS_SETTINGS } from '../../../src/adapters/reports/reports-settings.js';

/** Absolute paths of the written folders when the working folder is `workdir` (the image's). */
export function defaultWrittenFolders(workdir: string): string[] {
  const parsed = parseCommandLine(['--watch']);
  assert.ok(parsed.kind === 'run');
  const { stateDir, logsDir, reportsDir } = parsed.options;
  return [stateDir, logsDir, reportsDir ?? DEFAULT_REPORTS_SETTINGS.dir]
    .map((dir) => posix.resolve(workdir, dir))
    .sort();
}
