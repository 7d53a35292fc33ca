import { HOUR_MS } from './describe-time.js';
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

/** When the job is next due: `now` (a copy) when it is due already. */
export function nextDueAt(
  lastRealRun: LastRealRun | undefined,
  everyHours: number,
  now: Date,
): Date {
  const check = isJobDue(lastRealRun, everyHours, now);
  return check.due ? new Date(now.getTime()) : check.nextDueAt;
}
