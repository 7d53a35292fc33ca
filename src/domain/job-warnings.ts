import type { JobReport } from './job-report.js';

/**
 * Every warning of one job run, in one list (issue 27 item 4): the job's own (an `r/<regex>/`
 * that matched nothing...) and each repository's, prefixed by its name (a literal repository
 * that does not exist, images without a date, dates before 2000...). A new kind of warning is
 * one more string in a repository's `warnings` (or the job's): the log, the state, the
 * reports, the notifications, the metric and `--strict` all read it from here.
 */
export function jobWarnings(report: Pick<JobReport, 'warnings' | 'repositories'>): string[] {
  const all = [...report.warnings];
  for (const repository of report.repositories) {
    for (const warning of repository.warnings) all.push(`${repository.repository}: ${warning}`);
  }
  return all;
}

/** Why warnings fail a job: the job's `fail_on_warning: true`, or `--strict` for every job. */
export type WarningsFailJob = 'fail_on_warning' | '--strict';

/** The job-level error that turns a run with warnings into a failed one. */
export function failedOnWarnings(count: number, because: WarningsFailJob): string {
  const what = count === 1 ? '1 warning' : `${String(count)} warnings`;
  return `${what}, and ${because} makes warnings fail the job`;
}
