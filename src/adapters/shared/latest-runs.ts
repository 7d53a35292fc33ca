/**
 * The last run of each job as its report file tells it, for the watch page of the metrics
 * listener (issue 24 item 3). Written by the reports adapter, read by the metrics adapter; the
 * composition root binds it only when `metrics: { reports: true }`.
 */
export interface LatestRun {
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly dryRun: boolean;
  readonly status: 'success' | 'failed' | 'interrupted';
  /** Tags deleted, or that the dry run would delete. */
  readonly deleted: number;
  readonly kept: number;
  readonly failed: number;
  /** Tags removed alone (`shared_digest: untag`); absent when the report does not count them. */
  readonly untagged?: number;
  /**
   * The job's latest report to open (HTML, else Markdown, else JSON), relative to the reports
   * folder, `/`-separated, each part as it is on disk (not URL-encoded).
   */
  readonly report: string;
}

export interface LatestRuns {
  /** The reports folder: the only folder the watch page serves files from. */
  readonly folder: string;
  /**
   * Content-Security-Policy for a report file served from the folder: the HTML report's
   * inline style and its one script, nothing fetched.
   */
  readonly reportPolicy: string;
  /** The jobs' last runs, by job name; a job without a readable report is absent. */
  latest(jobNames: readonly string[]): Promise<ReadonlyMap<string, LatestRun>>;
}
export const LatestRuns = Symbol('LatestRuns');
