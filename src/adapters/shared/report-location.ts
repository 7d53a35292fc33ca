/** Where one run's report is, as people reach it: on disk, and on the web when published. */
export interface ReportLocation {
  /** The report file, as the run wrote it (relative to the working folder unless absolute). */
  readonly path: string;
  /** `reports.base_url` joined with the file's place under the reports folder. */
  readonly url?: string;
}

/**
 * Names the report of a run without waiting for it to be written, so that a notification sent
 * beside the report writer can point at it. Bound by the composition root: the report files'
 * own naming when reports are on, nothing when they are off.
 */
export interface ReportLocator {
  /** Undefined when the run writes no report. */
  locate(jobName: string, startedAt: Date, dryRun: boolean): ReportLocation | undefined;
}
export const ReportLocator = Symbol('ReportLocator');

/** For outputs built without report files (reports off, `--restore`, tests). */
export const NO_REPORTS: ReportLocator = { locate: () => undefined };
