import type { Job } from '../../domain/job.js';
import type { Shard } from '../../domain/shard.js';
import type {
  JobReport,
  RepositoryReport,
  RepositorySummary,
  RunMode,
} from '../../domain/job-report.js';

export interface JobStartedEvent {
  readonly job: Job;
  readonly mode: RunMode;
  readonly dryRun: boolean;
  readonly startedAt: Date;
  /** Repositories the run will examine (0 when the job could not start, e.g. no catalog). */
  readonly repositories: number;
  /** Why the job cannot do its work at all (e.g. the catalog could not be read). */
  readonly cannotStart?: string;
  /** `--shard I/N`: the run covers only the job's repositories of that shard. */
  readonly shard?: Shard;
}

export interface RepositoryFinishedEvent {
  readonly jobName: string;
  readonly dryRun: boolean;
  /** Every decision and deletion of the repository; released after the observers returned. */
  readonly report: RepositoryReport;
  /** The counts the job report keeps of it. */
  readonly summary: RepositorySummary;
  /** Repositories of this run finished so far, this one included. */
  readonly finished: number;
}

/** One image deletion the registry answered (issue 27: progress counts deletions as they happen). */
export interface DeletionAnsweredEvent {
  readonly jobName: string;
  readonly repository: string;
  /** The tags that pointed at the deleted digest: what repositoryFinished will count. */
  readonly tags: number;
}

export interface JobFinishedEvent {
  /** The final report, as saved in the state. */
  readonly report: JobReport;
}

/**
 * Watches runs as they happen: the console table, report files, metrics and notifications are
 * observers. Every observer of the process sees every event; an observer that throws is logged
 * and does not stop the run or the other observers. The run waits for each call, so an
 * observer that writes a file applies back-pressure instead of buffering repositories.
 */
export interface RunObserver {
  jobStarted(event: JobStartedEvent): Promise<void>;
  repositoryFinished(event: RepositoryFinishedEvent): Promise<void>;
  /** Optional: only observers that show a repository while it runs (progress) need it. */
  deletionAnswered?(event: DeletionAnsweredEvent): Promise<void>;
  jobFinished(event: JobFinishedEvent): Promise<void>;
}
export const RunObserver = Symbol('RunObserver');
