import { type Job, selectorLabel } from '../../domain/job.js';
import type { AppConfig } from '../config/app-config.js';
import { ConfigError } from '../config/config-error.js';
import { targetHost } from '../notify/notification-target.js';
import { safeUrl } from '../registry/safe-url.js';

/** What `--check-config` looks at, besides the files: the mode flags it was combined with. */
export interface CheckScope {
  /** `--watch`: only jobs.yaml matters. */
  readonly watch: boolean;
  /** `--jobs`: these jobs of manual.yaml (already checked to exist); empty = all. */
  readonly jobs: readonly Job[];
  readonly namedJobs: boolean;
}

const REPOSITORIES_SHOWN = 3;

/**
 * The text `--check-config` prints for a valid config folder: the registry (never a secret),
 * then each job on one line. Throws a ConfigError when the folder holds no jobs at all, since
 * neither mode could then run anything.
 */
export function describeValidConfig(config: AppConfig, scope: CheckScope): string {
  const files = config.files;
  if (!scope.watch && files?.watchJobs === undefined && files?.manualJobs === undefined) {
    throw new ConfigError([
      {
        file: config.configDir,
        message:
          'holds no jobs file: add jobs.yaml (jobs for --watch) or manual.yaml (jobs for one-shot runs)',
      },
    ]);
  }
  const lines = [
    `The config folder ${config.configDir} is valid.`,
    `registry: ${describeRegistry(config)}`,
    ...(config.registry.credentialsFrom === undefined
      ? []
      : [`credentials: ${config.registry.credentialsFrom}`]),
  ];
  const targets = config.notifications ?? [];
  if (targets.length > 0) {
    const described = targets.map(
      (target) => `${target.name} (${target.type}, ${targetHost(target)})`,
    );
    lines.push(`notifications: ${described.join(', ')}`);
  }
  if (scope.watch || (!scope.namedJobs && files?.watchJobs !== undefined)) {
    lines.push(...section(`${files?.watchJobs ?? 'jobs.yaml'} (--watch)`, config.watchJobs));
  }
  if (!scope.watch && files?.manualJobs !== undefined) {
    const title = `${files.manualJobs} (one-shot runs)`;
    lines.push(
      ...(scope.namedJobs
        ? section(`${title}, the jobs --jobs names`, scope.jobs)
        : section(title, config.manualJobs)),
    );
  }
  lines.push('Nothing was sent to the registry.');
  return `${lines.join('\n')}\n`;
}

function describeRegistry(config: AppConfig): string {
  const registry = config.registry;
  const notes: string[] = [];
  notes.push(loginNote(registry));
  if (registry.proxy !== undefined) notes.push(`through the proxy ${safeUrl(registry.proxy)}`);
  if (registry.caFile !== undefined) notes.push(`trusting ${registry.caFile}`);
  if (registry.insecure) notes.push('TLS NOT verified (insecure: true)');
  return `${safeUrl(registry.url).replace(/\/$/, '')} (${notes.join(', ')})`;
}

/** How requests will authenticate, in a few words: the user is named, a secret never. */
function loginNote(registry: AppConfig['registry']): string {
  if (registry.credentials !== undefined) return `as user "${registry.credentials.username}"`;
  switch (registry.dockerLogin?.kind) {
    case undefined:
      return 'anonymous';
    case 'helper':
      return `credentials from docker-credential-${registry.dockerLogin.helper}`;
    case 'identity-token':
      return 'with an identity token';
    case 'registry-token':
      return 'with a registry token';
  }
}

function section(title: string, jobs: readonly Job[]): string[] {
  const count = `${jobs.length} ${jobs.length === 1 ? 'job' : 'jobs'}`;
  return [`${title}: ${count}`, ...jobs.map((job) => `  - ${summarizeJob(job)}`)];
}

/** One line: what the job deletes, where, what it keeps, and when it runs. */
export function summarizeJob(job: Job): string {
  const tags = job.tagPatterns.map((pattern) => pattern.source).join(' or ');
  const labels = job.repositories.map(selectorLabel);
  const shown = labels.slice(0, REPOSITORIES_SHOWN).join(', ');
  const more = labels.length - REPOSITORIES_SHOWN;
  const where = more > 0 ? `${shown} and ${more} more` : shown;
  const keeping =
    job.saveLast > 0
      ? `, keeping the ${job.saveLast} ${savedWord(job)} of them per tag pattern`
      : '';
  const kept = (job.keepPatterns ?? []).map((pattern) => pattern.source);
  const never = [
    ...(kept.length > 0 ? [`tags matching ${kept.join(' or ')}`] : []),
    ...(job.orderBy === 'semver' ? ['tags that are not versions'] : []),
  ];
  const protectedTags = never.length > 0 ? `; never deletes ${never.join(' nor ')}` : '';
  const when =
    job.schedule !== undefined
      ? `; on the schedule "${job.schedule}"`
      : job.cleanEveryHours > 0
        ? `; every ${job.cleanEveryHours} h`
        : '';
  return `${job.name}: in ${where}, deletes tags matching ${tags} older than ${job.olderThanDays} days${keeping}${protectedTags}${when}`;
}

/** Which old tags save_last keeps, in the job's order_by. */
function savedWord(job: Job): string {
  switch (job.orderBy ?? 'created') {
    case 'created':
      return 'newest';
    case 'semver':
      return 'highest by semver';
    case 'natural':
      return 'highest in natural order';
  }
}
