import type { Job } from '../../domain/job.js';
import type { NextRun } from '../../domain/schedule.js';

/** A job of watch mode and what happens to it next. */
export interface PlannedJob {
  readonly job: Job;
  readonly next: NextRun;
}

/**
 * Watches the watch-mode loop itself (not the runs: those go to RunObserver): whether it is
 * up and when each job runs next. The metrics endpoint serves /readyz, /healthz and
 * reg_cleaner_job_next_run_timestamp_seconds from it; the console prints the start-up banner.
 * Calls must return at once and never throw.
 */
export interface WatchObserver {
  /**
   * The configuration is loaded, the state lock is held and every job is planned; the due
   * ones start right after this call, so a banner printed here comes before the first table
   * (issue 15). `plan` is in the order of jobs.yaml.
   */
  watchStarted(plan: readonly PlannedJob[], dryRun: boolean): void;
  /**
   * When the job runs next (`at` may be now), or undefined when it cannot be planned: an
   * error that the health endpoint reports, never a silent wait.
   */
  nextRunPlanned(jobName: string, at: Date | undefined): void;
  /** A shutdown signal stopped the loop: nothing new is planned. */
  watchStopped(): void;
}
export const WatchObserver = Symbol('WatchObserver');
