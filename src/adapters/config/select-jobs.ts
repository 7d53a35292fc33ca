import type { Job } from '../../domain/job.js';
import type { RunMode } from '../../domain/job-report.js';
import type { AppConfig } from './app-config.js';
import { ConfigError } from './config-error.js';
import { closestNames } from './did-you-mean.js';

/**
 * The jobs a run executes: every job of jobs.yaml in watch mode; in manual mode the jobs of
 * manual.yaml named by `--jobs` (in the order given, each once), or all of them when none is
 * named. An unknown name is a configuration problem reported before any request is sent.
 */
export function selectJobs(
  config: AppConfig,
  mode: RunMode,
  names: readonly string[],
): readonly Job[] {
  if (mode === 'watch') return config.watchJobs;
  if (names.length === 0) return config.manualJobs;
  const byName = new Map(config.manualJobs.map((job) => [job.name, job]));
  const unknown = [...new Set(names)].filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    const known = config.manualJobs.map((job) => job.name);
    const knownText = known.length > 0 ? `known jobs: ${known.join(', ')}` : 'it declares no jobs';
    throw new ConfigError(
      unknown.map((name) => ({
        file: manualFileLabel(config),
        message: `--jobs names "${name}", which manual.yaml does not declare${hintFor(name, config)} (${knownText})`,
      })),
    );
  }
  return [...new Set(names)].flatMap((name) => {
    const job = byName.get(name);
    return job === undefined ? [] : [job];
  });
}

/** Why the name may have been typed: a near miss, or a job of the other file. */
function hintFor(name: string, config: AppConfig): string {
  const suggestions = closestNames(
    name,
    config.manualJobs.map((job) => job.name),
  );
  if (suggestions.length > 0) {
    return `; did you mean ${suggestions.map((suggestion) => `"${suggestion}"`).join(' or ')}?`;
  }
  if (config.watchJobs.some((job) => job.name === name)) {
    return '; it is a job of jobs.yaml, which only --watch runs';
  }
  return '';
}

function manualFileLabel(config: AppConfig): string {
  if (config.files?.manualJobs !== undefined) return config.files.manualJobs;
  const dir = config.configDir.replace(/\/+$/, '');
  return `${dir === '' ? '.' : dir}/manual.yaml`;
}
