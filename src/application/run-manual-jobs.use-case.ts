import { inject, injectable } from 'inversify';
import type { Job } from '../domain/job.js';
import type { JobReport } from '../domain/job-report.js';
import type { Shard } from '../domain/shard.js';
import { RunJobs } from './run-jobs.use-case.js';

export interface RunManualJobsOptions {
  readonly dryRun: boolean;
  readonly signal?: AbortSignal;
  /** `--strict`: any warning fails the job. */
  readonly strict?: boolean;
  /** `--shard I/N`: only the repositories of that shard. */
  readonly shard?: Shard;
}

/** One-shot mode: the chosen jobs of manual.yaml, once each, concurrently. */
@injectable()
export class RunManualJobs {
  constructor(@inject(RunJobs) private readonly runJobs: RunJobs) {}

  execute(jobs: readonly Job[], options: RunManualJobsOptions): Promise<JobReport[]> {
    return this.runJobs.execute(jobs, { ...options, mode: 'manual' });
  }
}
