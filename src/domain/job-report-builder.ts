import {
  DELETED_TAGS_KEPT,
  deletedTagsOf,
  summarise,
  type DeletedTag,
  type JobReport,
  type RepositoryReport,
  type RepositorySummary,
  type RunMode,
} from './job-report.js';
import { failedOnWarnings, jobWarnings, type WarningsFailJob } from './job-warnings.js';

/**
 * Folds repository reports into a JobReport as they finish, keeping only what is bounded:
 * totals, per-repository summaries and the first DELETED_TAGS_KEPT deleted tags.
 */
export class JobReportBuilder {
  private examined = 0;
  private kept = 0;
  private deleted = 0;
  private untagged = 0;
  private failed = 0;
  private reclaimableBytes = 0;
  private readonly summaries: RepositorySummary[] = [];
  private readonly deletedTags: DeletedTag[] = [];
  private deletedTagsOmitted = 0;

  constructor(
    private readonly start: {
      readonly jobName: string;
      readonly mode: RunMode;
      readonly dryRun: boolean;
      readonly startedAt: Date;
    },
  ) {}

  /** Adds one finished repository and returns its summary. */
  add(report: RepositoryReport): RepositorySummary {
    const summary = summarise(report, this.start.dryRun);
    this.summaries.push(summary);
    this.examined += summary.examined;
    this.kept += summary.kept;
    this.deleted += summary.deleted;
    this.untagged += summary.untagged;
    this.failed += summary.failed;
    this.reclaimableBytes += summary.reclaimableBytes;
    for (const tag of deletedTagsOf(report)) {
      if (this.deletedTags.length < DELETED_TAGS_KEPT) this.deletedTags.push(tag);
      else this.deletedTagsOmitted += 1;
    }
    return summary;
  }

  /** True when every repository added so far succeeded (no error, no failed deletion). */
  get repositoriesSucceeded(): boolean {
    return this.summaries.every((summary) => summary.failed === 0);
  }

  finish(end: {
    readonly finishedAt: Date;
    readonly errors: readonly string[];
    readonly warnings?: readonly string[];
    readonly interrupted: boolean;
    readonly journal?: string;
    /** Set when warnings fail the job (`fail_on_warning`, `--strict`). */
    readonly failOnWarnings?: WarningsFailJob;
  }): JobReport {
    const warnings = end.warnings ?? [];
    const count = jobWarnings({ warnings, repositories: this.summaries }).length;
    // Not a failed tag: the job-level error makes the run fail without changing the counts.
    const errors =
      end.failOnWarnings !== undefined && count > 0
        ? [...end.errors, failedOnWarnings(count, end.failOnWarnings)]
        : end.errors;
    return {
      ...(end.journal === undefined ? {} : { journal: end.journal }),
      ...this.start,
      finishedAt: end.finishedAt,
      success: errors.length === 0 && !end.interrupted && this.repositoriesSucceeded,
      errors,
      warnings,
      totals: {
        examined: this.examined,
        kept: this.kept,
        deleted: this.deleted,
        untagged: this.untagged,
        failed: this.failed + end.errors.length,
        reclaimableBytes: this.reclaimableBytes,
      },
      repositories: this.summaries,
      deletedTags: this.deletedTags,
      deletedTagsOmitted: this.deletedTagsOmitted,
      interrupted: end.interrupted,
    };
  }
}
