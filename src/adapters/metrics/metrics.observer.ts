import { inject, injectable } from 'inversify';
import type {
  JobFinishedEvent,
  JobStartedEvent,
  RepositoryFinishedEvent,
  RunObserver,
} from '../../application/ports/run-observer.port.js';
import type { JobReport } from '../../domain/job-report.js';
import { jobWarnings } from '../../domain/job-warnings.js';
import { RequestStats, type RequestOutcome } from '../shared/http/request-stats.js';
import { CleanerMetrics } from './cleaner-metrics.js';

/**
 * Turns runs and registry requests into metrics. Tag counters grow as repositories finish, so
 * a long run shows progress on every scrape; once the run is over they have grown by exactly
 * the run's totals (the report saved in latest_cleanup.json).
 */
@injectable()
export class MetricsObserver implements RunObserver {
  constructor(
    @inject(CleanerMetrics) private readonly metrics: CleanerMetrics,
    @inject(RequestStats) requests: RequestStats,
  ) {
    requests.onOutcome((outcome) => {
      this.requestEnded(outcome);
    });
  }

  jobStarted(event: JobStartedEvent): Promise<void> {
    this.metrics.running.set({ job: event.job.name }, 1);
    return Promise.resolve();
  }

  repositoryFinished(event: RepositoryFinishedEvent): Promise<void> {
    const labels = { job: event.jobName, dry_run: String(event.dryRun) };
    this.metrics.tagsExamined.inc(labels, event.summary.examined);
    this.metrics.tagsDeleted.inc(labels, event.summary.deleted);
    this.metrics.tagsUntagged.inc(labels, event.summary.untagged);
    return Promise.resolve();
  }

  jobFinished({ report }: JobFinishedEvent): Promise<void> {
    const job = { job: report.jobName };
    const finished = report.finishedAt.getTime() / 1000;
    this.metrics.running.set(job, 0);
    this.metrics.jobRuns.inc({ ...job, dry_run: String(report.dryRun), result: resultOf(report) });
    this.metrics.lastRun.set(job, finished);
    if (report.success && !report.interrupted) this.metrics.lastSuccess.set(job, finished);
    this.metrics.duration.observe(
      job,
      (report.finishedAt.getTime() - report.startedAt.getTime()) / 1000,
    );
    this.metrics.reclaimableBytes.set(job, report.totals.reclaimableBytes);
    // Present at 0 from the first run: an alert on increase() needs the series to exist.
    this.metrics.jobWarnings.inc(job, jobWarnings(report).length);
    // Make sure the counters exist (at 0) for a job whose runs examined nothing.
    const labels = { ...job, dry_run: String(report.dryRun) };
    this.metrics.tagsExamined.inc(labels, 0);
    this.metrics.tagsDeleted.inc(labels, 0);
    this.metrics.tagsUntagged.inc(labels, 0);
    return Promise.resolve();
  }

  private requestEnded(outcome: RequestOutcome): void {
    this.metrics.requests.inc({ method: outcome.method, status: outcome.status });
    this.metrics.requestDuration.observe({ method: outcome.method }, outcome.durationSeconds);
  }
}

function resultOf(report: JobReport): 'success' | 'failed' | 'interrupted' {
  if (report.interrupted) return 'interrupted';
  return report.success ? 'success' : 'failed';
}
