import type { HistoryEvent, StateStore } from '../../src/application/ports/state-store.port.js';
import type { JobReport, LastRealRun } from '../../src/domain/job-report.js';

export class InMemoryStateStore implements StateStore {
  readonly reports: JobReport[] = [];
  readonly history: HistoryEvent[] = [];
  private readonly realRuns = new Map<string, LastRealRun>();

  withRealRun(jobName: string, run: LastRealRun): this {
    this.realRuns.set(jobName, run);
    return this;
  }

  lastRealRuns(): Promise<ReadonlyMap<string, LastRealRun>> {
    return Promise.resolve(new Map(this.realRuns));
  }

  saveReport(report: JobReport): Promise<void> {
    this.reports.push(report);
    if (!report.dryRun) {
      this.realRuns.set(report.jobName, { finishedAt: report.finishedAt, success: report.success });
    }
    return Promise.resolve();
  }

  appendHistory(event: HistoryEvent): Promise<void> {
    this.history.push(event);
    return Promise.resolve();
  }
}
