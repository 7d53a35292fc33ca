import type { JobReport } from '../../domain/job-report.js';

/** Shows a run's outcome to the operator (the table on stdout). */
export interface ReportWriter {
  jobStarted(jobName: string, dryRun: boolean): void;
  jobFinished(report: JobReport): void;
}
export const ReportWriter = Symbol('ReportWriter');
