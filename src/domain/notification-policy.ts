import type { JobReport, LastRealRun } from './job-report.js';
import { jobWarnings } from './job-warnings.js';

/**
 * Why a run is worth a message (issue 11). `failure`: the run failed or was interrupted;
 * `deleted`: a real run deleted at least one tag; `recovered`: a real run succeeded after the
 * job's previous real run failed; `dry_run`: any dry run; `warning`: the run has a job warning
 * (issue 27: a repository that does not exist...); `restored`: a `--restore` ran (it is not a
 * job run: see restoreReasons); `always`: every run and every restore.
 */
export type NotifyOn =
  'failure' | 'deleted' | 'recovered' | 'dry_run' | 'warning' | 'restored' | 'always';

export const NOTIFY_ON_VALUES: readonly NotifyOn[] = [
  'failure',
  'deleted',
  'recovered',
  'dry_run',
  'warning',
  'restored',
  'always',
];

/** What a target hears about when its `on` is not given: problems and real changes only. */
export const DEFAULT_NOTIFY_ON: readonly NotifyOn[] = ['failure', 'deleted', 'recovered'];

/** A target's `jobs: ["*"]`: every job. */
export const ALL_JOBS = '*';

/** The reasons, among those a target listens to, that this run matches (empty: send nothing). */
export function notifyReasons(
  report: JobReport,
  previousRealRun: LastRealRun | undefined,
  on: readonly NotifyOn[],
): NotifyOn[] {
  const matched: NotifyOn[] = [];
  const failed = !report.success || report.interrupted;
  if (failed) matched.push('failure');
  // A tag removed alone (untag) is a tag gone from the registry as much as a deleted one.
  if (!report.dryRun && report.totals.deleted + report.totals.untagged > 0) matched.push('deleted');
  if (!report.dryRun && !failed && previousRealRun !== undefined && !previousRealRun.success) {
    matched.push('recovered');
  }
  if (report.dryRun) matched.push('dry_run');
  if (jobWarnings(report).length > 0) matched.push('warning');
  matched.push('always');
  return matched.filter((reason) => on.includes(reason));
}

/** The reasons, among those a target listens to, to tell it about a restore. */
export function restoreReasons(on: readonly NotifyOn[]): NotifyOn[] {
  return (['restored', 'always'] as const).filter((reason) => on.includes(reason));
}

export function targetsJob(jobs: readonly string[], jobName: string): boolean {
  return jobs.includes(ALL_JOBS) || jobs.includes(jobName);
}

/**
 * What makes two failures "the same": the job-level errors, the repositories that failed and
 * their errors with the parts that change from run to run blurred (tag names, numbers), and
 * whether the run was interrupted. Order does not matter.
 */
export function failureCause(report: JobReport): string {
  const parts = new Set<string>();
  for (const error of report.errors) parts.add(`job: ${blur(error)}`);
  for (const repository of report.repositories) {
    for (const error of repository.errors) parts.add(`${repository.repository}: ${blur(error)}`);
    if (repository.errors.length === 0 && repository.failed > 0) {
      parts.add(`${repository.repository}: deletions failed`);
    }
  }
  if (report.interrupted) parts.add('interrupted');
  return [...parts].sort().join('\n');
}

function blur(message: string): string {
  return message.replace(/^tag \S+: /, 'tag: ').replace(/\d+/g, '#');
}

/** The last failure message sent to one target about one job. */
export interface SentFailure {
  /** A fingerprint of failureCause() of the run it was about. */
  readonly cause: string;
  readonly sentAt: Date;
}

/**
 * In watch mode a failure that repeats with the same cause is not sent again before
 * `repeatIntervalMs` has passed since it was last sent. Only a message whose sole reason is
 * `failure` is held back: deletions, a recovery and `always` are news of their own.
 */
export function isRepeatHeldBack(
  reasons: readonly NotifyOn[],
  cause: string,
  last: SentFailure | undefined,
  now: Date,
  repeatIntervalMs: number,
): boolean {
  if (last === undefined || reasons.length !== 1 || reasons[0] !== 'failure') return false;
  return last.cause === cause && now.getTime() - last.sentAt.getTime() < repeatIntervalMs;
}
