import { inject, injectable, optional } from 'inversify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { packageVersion } from '../shared/version.js';
import { MetricsOptions } from './metrics-options.js';

/**
 * Every metric of the process, in one prom-client registry of its own (never the library's
 * global one). Prometheus naming: base units (seconds, bytes), `_total` on counters, and no
 * tag or repository label, so that the number of series stays that of the jobs.
 */
@injectable()
export class CleanerMetrics {
  readonly registry = new Registry();

  readonly buildInfo = new Gauge({
    name: 'reg_cleaner_build_info',
    help: 'Always 1; the version label names the running release.',
    labelNames: ['version'] as const,
    registers: [this.registry],
  });

  readonly jobRuns = new Counter({
    name: 'reg_cleaner_job_runs_total',
    help: 'Finished job runs, by result (success, failed, interrupted).',
    labelNames: ['job', 'dry_run', 'result'] as const,
    registers: [this.registry],
  });

  readonly lastRun = new Gauge({
    name: 'reg_cleaner_job_last_run_timestamp_seconds',
    help: 'When the last run of the job finished (Unix time), whatever its result.',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });

  readonly lastSuccess = new Gauge({
    name: 'reg_cleaner_job_last_success_timestamp_seconds',
    help: 'When the last successful run of the job finished (Unix time).',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });

  readonly nextRun = new Gauge({
    name: 'reg_cleaner_job_next_run_timestamp_seconds',
    help: 'When watch mode runs the job next (Unix time); absent when it cannot be planned.',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });

  readonly running = new Gauge({
    name: 'reg_cleaner_job_running',
    help: '1 while a run of the job is under way, else 0.',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });

  readonly duration = new Histogram({
    name: 'reg_cleaner_job_duration_seconds',
    help: 'How long job runs took.',
    labelNames: ['job'] as const,
    // From a warm run of a small job to a cold run over 100,000 tags.
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
    registers: [this.registry],
  });

  readonly tagsExamined = new Counter({
    name: 'reg_cleaner_tags_examined_total',
    help: 'Tags examined by job runs (matched by a pattern and decided on).',
    labelNames: ['job', 'dry_run'] as const,
    registers: [this.registry],
  });

  readonly tagsDeleted = new Counter({
    name: 'reg_cleaner_tags_deleted_total',
    help: 'Tags deleted by job runs; with dry_run="true", tags a dry run would delete.',
    labelNames: ['job', 'dry_run'] as const,
    registers: [this.registry],
  });

  readonly tagsUntagged = new Counter({
    name: 'reg_cleaner_tags_untagged_total',
    help: 'Tags removed alone, their image kept for another tag (shared_digest: untag); with dry_run="true", tags a dry run would untag.',
    labelNames: ['job', 'dry_run'] as const,
    registers: [this.registry],
  });

  readonly jobWarnings = new Counter({
    name: 'reg_cleaner_job_warnings_total',
    help: 'Warnings of job runs (a repository that does not exist, a pattern matching nothing, odd dates...).',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });

  readonly reclaimableBytes = new Gauge({
    name: 'reg_cleaner_reclaimable_bytes',
    help: "Bytes the registry's garbage collector can free after the last run of the job.",
    labelNames: ['job'] as const,
    registers: [this.registry],
  });

  readonly requests = new Counter({
    name: 'reg_cleaner_registry_requests_total',
    help: 'HTTP requests sent to the registry and its token service, by method and status (or failure code).',
    labelNames: ['method', 'status'] as const,
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'reg_cleaner_registry_request_duration_seconds',
    help: 'How long registry requests took, from sending to the whole answer.',
    labelNames: ['method'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(@inject(MetricsOptions) @optional() options?: MetricsOptions) {
    // A shard's series carry it (issue 24): the files of N shards can be collected together.
    if (options?.shard !== undefined) this.registry.setDefaultLabels({ shard: options.shard });
    collectDefaultMetrics({ register: this.registry });
    this.buildInfo.set({ version: packageVersion() }, 1);
  }

  /** The Prometheus text exposition format, as served on /metrics. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
