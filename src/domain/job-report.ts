import type { TagDecision } from './decision.js';

/** Outcome of one DELETE of a manifest digest. */
export type DeletionOutcome =
  | { readonly status: 'deleted' }
  | { readonly status: 'already-gone' }
  /** Not attempted: dry run, deletion disabled on the registry, or shutdown in progress. */
  | { readonly status: 'skipped'; readonly why: string }
  | { readonly status: 'failed'; readonly problem: string };

export interface DeletionResult {
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
  readonly outcome: DeletionOutcome;
}

export interface RepositoryReport {
  readonly repository: string;
  /** Every tag of the repository that the job examined, with its decision. */
  readonly decisions: readonly TagDecision[];
  /** Tags that match no pattern of the job: never deleted, not listed one by one. */
  readonly unmatchedTags?: number;
  readonly deletions: readonly DeletionResult[];
  /** Problems that concern the repository or single tags in it (request failures). */
  readonly errors: readonly string[];
  /** Facts about the data worth a warning (e.g. an image without `created`). */
  readonly warnings: readonly string[];
}

export type RunMode = 'manual' | 'watch';

/** What one run of one job did. Persisted (see StateStore) and printed. */
export interface JobReport {
  readonly jobName: string;
  readonly mode: RunMode;
  readonly dryRun: boolean;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** False when any request failed after its retries, or the job could not work at all. */
  readonly success: boolean;
  /** Job-level problems (auth refused, registry unreachable, deletion disabled...). */
  readonly errors: readonly string[];
  readonly repositories: readonly RepositoryReport[];
  /** True when a shutdown signal cut the run short. */
  readonly interrupted: boolean;
}

export interface JobTotals {
  readonly examined: number;
  readonly kept: number;
  /** Tags removed from the registry (or that would be, in a dry run). */
  readonly deleted: number;
  readonly failed: number;
}

export function totalsOf(report: JobReport): JobTotals {
  let examined = 0;
  let kept = 0;
  let deleted = 0;
  let failed = 0;
  for (const repository of report.repositories) {
    examined += repository.decisions.length;
    kept += repository.decisions.filter((decision) => decision.action === 'keep').length;
    for (const deletion of repository.deletions) {
      const done =
        deletion.outcome.status === 'deleted' ||
        deletion.outcome.status === 'already-gone' ||
        (report.dryRun && deletion.outcome.status === 'skipped');
      if (done) deleted += deletion.tags.length;
      if (deletion.outcome.status === 'failed') failed += deletion.tags.length;
    }
    failed += repository.errors.length;
  }
  return { examined, kept, deleted, failed };
}

/** The last real (not dry) run of a job, which is all that scheduling needs. */
export interface LastRealRun {
  readonly finishedAt: Date;
  readonly success: boolean;
}

/** The report of a job that could not start its work at all (e.g. the catalog was refused). */
export function failedBeforeStart(
  jobName: string,
  mode: RunMode,
  dryRun: boolean,
  at: Date,
  error: string,
): JobReport {
  return {
    jobName,
    mode,
    dryRun,
    startedAt: at,
    finishedAt: at,
    success: false,
    errors: [error],
    repositories: [],
    interrupted: false,
  };
}
