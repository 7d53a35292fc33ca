/**
 * Watches the watch-mode loop itself (not the runs: those go to RunObserver): whether it is
 * up and when each job runs next. The metrics endpoint serves /readyz, /healthz and
 * reg_cleaner_job_next_run_timestamp_seconds from it. Calls must return at once and never throw.
 */
export interface WatchObserver {
  /** The configuration is loaded, the state lock is held and the jobs are being planned. */
  watchStarted(): void;
  /**
   * When the job runs next (`at` may be now), or undefined when it cannot be planned: an
   * error that the health endpoint reports, never a silent wait.
   */
  nextRunPlanned(jobName: string, at: Date | undefined): void;
  /** A shutdown signal stopped the loop: nothing new is planned. */
  watchStopped(): void;
}
export const WatchObserver = Symbol('WatchObserver');
