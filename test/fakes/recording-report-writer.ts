import type { ReportWriter } from '../../src/application/ports/report-writer.port.js';
import type { JobReport } from '../../src/domain/job-report.js';

export class RecordingReportWriter implements ReportWriter {
  readonly started: string[] = [];
  readonly finished: JobReport[] = [];

  jobStarted(jobName: string): void {
    this.started.push(jobName);
  }

  jobFinished(report: JobReport): void {
    this.finished.push(report);
  }
}
