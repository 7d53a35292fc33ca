import { JobReportBuilder } from '../../src/domain/job-report-builder.js';
import type { JobReport, RepositoryReport, RunMode } from '../../src/domain/job-report.js';

export interface JobReportShape {
  readonly jobName?: string;
  readonly mode?: RunMode;
  readonly dryRun?: boolean;
  readonly startedAt?: Date;
  readonly finishedAt?: Date;
  readonly errors?: readonly string[];
  /** Job-level warnings (repository warnings come with the repository reports). */
  readonly warnings?: readonly string[];
  readonly interrupted?: boolean;
  /** Overrides what the builder derives (e.g. a failed run without repository errors). */
  readonly success?: boolean;
}

/** A JobReport folded from full repository reports, the way RunJob builds one. */
export function aJobReport(
  shape: JobReportShape = {},
  repositories: readonly RepositoryReport[] = [],
): JobReport {
  const startedAt = shape.startedAt ?? new Date('2026-06-01T00:00:00Z');
  const builder = new JobReportBuilder({
    jobName: shape.jobName ?? 'clean-dev',
    mode: shape.mode ?? 'manual',
    dryRun: shape.dryRun ?? false,
    startedAt,
  });
  for (const repository of repositories) builder.add(repository);
  const report = builder.finish({
    finishedAt: shape.finishedAt ?? startedAt,
    errors: shape.errors ?? [],
    warnings: shape.warnings ?? [],
    interrupted: shape.interrupted ?? false,
  });
  return shape.success === undefined ? report : { ...report, success: shape.success };
}
