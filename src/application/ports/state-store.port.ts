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
