import { HOUR_MS } from './describe-time.js';
import type { Job } from './job.js';
import type { LastRealRun } from './job-report.js';

export type DueCheck =
  | { readonly due: true; readonly reason: 'never-run' | 'last-failed' | 'interval-passed' }
  | { readonly due: false; readonly nextDueAt: Date };

/**
 * Whether a watch-mode job should run now (behaviour.md section 4): no real-run record yet,
 * the last real run failed, or `finishedAt + everyHours` has passed. The boundary counts as
 * passed: a job is due at exactly `finishedAt + everyHours`. Fractional hours are allowed;
 * 0 means due whenever asked. Dry runs are not real runs: the caller passes only real ones.
 * A finishedAt in the future (the clock went back) simply waits until finishedAt + everyHours.
 * Throws RangeError for a negative or non-finite interval, which would otherwise never be due.
 */
export function isJobDue(
  lastRealRun: LastRealRun | undefined,
  everyHours: number,
  now: Date,
): DueCheck {
  if (!Number.isFinite(everyHours) || everyHours < 0) {
    throw new RangeError(`clean_every_n_hours must be a number >= 0, got ${everyHours}`);
  }
  if (lastRealRun === undefined) return { due: true, reason: 'never-run' };
  if (!lastRealRun.success) return { due: true, reason: 'last-failed' };
  const dueAt = new Date(lastRealRun.finishedAt.getTime() + everyHours * HOUR_MS);
  return dueAt.getTime() <= now.getTime()
    ? { due: true, reason: 'interval-passed' }
    : { due: false, nextDueAt: dueAt };
}

/** After a failed run, retry sooner than the interval, but never in a tight loop. */
export const RETRY_AFTER_FAILURE_HOURS = 1;

/** What watch mode does next with a job. */
export type NextRun =
  | {
      readonly kind: 'now';
      readonly reason: 'never-run' | 'last-failed' | 'interval-passed' | 'retry' | 'cron-fired';
    }
  | { readonly kind: 'at'; readonly at: Date; readonly reason: 'interval' | 'retry' | 'cron' }
  /** The cron expression has no next firing: an error to report, never a silent long wait. */
  | { readonly kind: 'never'; readonly reason: 'cron-never-fires' };

export interface NextRunInput {
  readonly job: Pick<Job, 'cleanEveryHours' | 'schedule'>;
  /** The last real run on record (state survives restarts), if any. */
  readonly lastRealRun: LastRealRun | undefined;
  /** The last run of this watch process (real or dry), if any. */
  readonly lastRunHere: LastRealRun | undefined;
  readonly dryRun: boolean;
  readonly now: Date;
  /**
   * The next firing of a cron expression strictly after `after`, undefined if none: cron is
   * read behind the Scheduler port, so that the domain stays free of libraries.
   */
  readonly nextCronTime: (expression: string, after: Date) => Date | undefined;
}

/**
 * The watch-mode policy (behaviour.md section 4): when a job runs next.
 * - A dry run never delays a real run, so a dry-run watch is paced by its own runs.
 * - A run of this process that failed is retried after min(interval, 1 h): sooner than the
 *   interval, but never in a tight loop. A failure on record from before a restart is due now.
 * - With `schedule`, the next cron firing after the last successful run; otherwise
 *   `finishedAt + clean_every_n_hours` (isJobDue).
 * A planned time that has passed already means now.
 */
export function nextRun(input: NextRunInput): NextRun {
  const { job, lastRunHere: here, now } = input;
  const last = input.dryRun && here !== undefined ? here : input.lastRealRun;
  if (last !== undefined && !last.success && here !== undefined) {
    const interval = job.cleanEveryHours > 0 ? job.cleanEveryHours : RETRY_AFTER_FAILURE_HOURS;
    const retryHours = Math.min(RETRY_AFTER_FAILURE_HOURS, interval);
    return atOrNow(new Date(here.finishedAt.getTime() + retryHours * HOUR_MS), now, 'retry');
  }
  if (job.schedule !== undefined) {
    if (last === undefined) return { kind: 'now', reason: 'never-run' };
    if (!last.success) return { kind: 'now', reason: 'last-failed' };
    const firing = input.nextCronTime(job.schedule, last.finishedAt);
    if (firing === undefined) return { kind: 'never', reason: 'cron-never-fires' };
    return atOrNow(firing, now, 'cron');
  }
  const check = isJobDue(last, job.cleanEveryHours, now);
  return check.due
    ? { kind: 'now', reason: check.reason }
    : { kind: 'at', at: check.nextDueAt, reason: 'interval' };
}

function atOrNow(at: Date, now: Date, reason: 'retry' | 'cron'): NextRun {
  if (at.getTime() > now.getTime()) return { kind: 'at', at, reason };
  return { kind: 'now', reason: reason === 'cron' ? 'cron-fired' : 'retry' };
}
