export interface ScheduledTask {
  cancel(): void;
}

/** Runs a callback at a point in time; injected so that tests drive time by hand. */
export interface Scheduler {
  /** Calls `task` once at `at` (at once if `at` is in the past). */
  at(at: Date, task: () => void): ScheduledTask;
  /** The next time a cron expression fires after `after`, or undefined if never. */
  nextCronTime(expression: string, after: Date): Date | undefined;
}
export const Scheduler = Symbol('Scheduler');
