import type { JobReport, LastRealRun } from '../../domain/job-report.js';

export type HistoryEvent =
  | {
      readonly kind: 'started';
      readonly jobName: string;
      readonly dryRun: boolean;
      readonly at: Date;
    }
  | { readonly kind: 'finished'; readonly report: JobReport }
  | { readonly kind: 'failed'; readonly report: JobReport }
  | { readonly kind: 'interrupted'; readonly report: JobReport };

/** Persistent state in the cache folder: latest_cleanup.json and history.log. */
export interface StateStore {
  /** The last real run of each job, by job name (dry runs never count). */
  lastRealRuns(): Promise<ReadonlyMap<string, LastRealRun>>;
  /** Records a finished (or interrupted) run; written atomically. */
  saveReport(report: JobReport): Promise<void>;
  appendHistory(event: HistoryEvent): Promise<void>;
}
export const StateStore = Symbol('StateStore');

/** Another live process holds the state folder: two writers would corrupt each other's records. */
export class StateLockedError extends Error {
  override readonly name = 'StateLockedError';
  constructor(
    readonly lockFile: string,
    readonly holderPid: number,
  ) {
    super(
      `the state folder is in use by another reg-cleaner process (pid ${String(holderPid)}); ` +
        `lock file ${lockFile}. Stop that process, or give this one its own --state-dir.`,
    );
  }
}
