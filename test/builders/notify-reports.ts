import type { DeletionOutcome, JobReport, RepositoryReport } from '../../src/domain/job-report.js';
import { aJobReport, type JobReportShape } from './job-reports.js';
import { aDecision } from './tags.js';

export interface RepositoryShape {
  readonly repository?: string;
  /** Tags deleted (or, in a dry run, skipped as the dry run does). */
  readonly deleted?: readonly string[];
  readonly kept?: readonly string[];
  readonly failedDeletions?: readonly string[];
  readonly errors?: readonly string[];
  readonly warnings?: readonly string[];
}

/** A repository report as RunJob produces it, one digest per tag. */
export function aRepositoryReport(shape: RepositoryShape, dryRun = false): RepositoryReport {
  const repository = shape.repository ?? 'team/app';
  const deletion = (tag: string, outcome: DeletionOutcome) => ({
    repository,
    digest: `sha256:${tag}`,
    tags: [tag],
    outcome,
  });
  const deleted = shape.deleted ?? [];
  const failed = shape.failedDeletions ?? [];
  // Each image: a 1 kB manifest and a 1 MB layer of its own, so that reclaimable bytes add up.
  const decision = (tag: string, action: 'keep' | 'delete') =>
    aDecision(tag, action, {
      repository,
      digest: `sha256:${tag}`,
      footprint: {
        digest: `sha256:${tag}`,
        bytes: 1_000,
        blobs: [{ digest: `sha256:layer-${tag}`, size: 1_000_000 }],
      },
    });
  return {
    repository,
    decisions: [
      ...deleted.map((tag) => decision(tag, 'delete')),
      ...failed.map((tag) => decision(tag, 'delete')),
      ...(shape.kept ?? []).map((tag) => decision(tag, 'keep')),
    ],
    deletions: [
      ...deleted.map((tag) =>
        deletion(tag, dryRun ? { status: 'skipped', why: 'dry run' } : { status: 'deleted' }),
      ),
      ...failed.map((tag) => deletion(tag, { status: 'failed', problem: 'HTTP 500' })),
    ],
    errors: shape.errors ?? [],
    warnings: shape.warnings ?? [],
  };
}

/** A job report over the given repositories. */
export function aRunReport(
  shape: JobReportShape = {},
  repositories: readonly RepositoryShape[] = [],
): JobReport {
  return aJobReport(
    shape,
    repositories.map((repository) => aRepositoryReport(repository, shape.dryRun ?? false)),
  );
}
