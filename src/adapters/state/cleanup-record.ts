import type { DeletedTag, JobReport, LastRealRun } from '../../domain/job-report.js';
import { jobWarnings } from '../../domain/job-warnings.js';

/**
 * One job's entry of cache/latest_cleanup.json. The original tool's field names are kept
 * (job_name, mode, started_at, finished_at, success, errors, found_tags, found_tags_count,
 * repo_stats); the other fields are additions.
 */
export interface CleanupRecord {
  job_name: string;
  mode: string;
  dry_run: boolean;
  interrupted: boolean;
  started_at: string;
  finished_at: string;
  success: boolean;
  errors: string[];
  /**
   * Every warning of the run: the job's (e.g. an `r/<regex>/` that matched nothing), then each
   * repository's as "repository: warning" (e.g. one that does not exist), as `errors` does.
   */
  warnings?: string[];
  /**
   * Tags deleted (or, in a dry run, that would be): the first 10,000 of them. The run's report
   * files list every tag; a state file read on every start must stay small.
   */
  found_tags: FoundTag[];
  /** Every deleted tag, listed or not. */
  found_tags_count: number;
  /** Deleted tags counted in found_tags_count but not listed in found_tags. */
  found_tags_omitted?: number;
  repo_stats: RepoStat[];
  /** The run's deletion journal (issue 16), when it deleted anything: `--restore` reads it. */
  journal?: string;
  /** The last real run when this record is a dry run, so that a dry run never delays one. */
  last_real_run?: { finished_at: string; success: boolean };
  /**
   * A dry run that followed the real run this record describes. The real run stays at the top
   * level, so that what was last really deleted is not overwritten by a rehearsal.
   */
  last_dry_run?: CleanupRecord;
}

interface FoundTag {
  repository: string;
  tag: string;
  digest: string;
  created: string | null;
  status: string;
}

interface RepoStat {
  repository: string;
  examined: number;
  unmatched: number;
  kept: number;
  deleted: number;
  errors: string[];
  warnings: string[];
  /** Not finished: `shutdown` when a signal came before its deletions began. */
  skipped?: string;
}

/**
 * The job's new entry. A real run replaces the entry; a dry run after a real run is nested
 * under `last_dry_run` of that real run; a dry run with no real run before it is the entry
 * itself (marked `dry_run: true`).
 */
export function toRecord(report: JobReport, previous: CleanupRecord | undefined): CleanupRecord {
  const record = recordOf(report);
  if (!report.dryRun) return record;
  if (previous !== undefined && !previous.dry_run) {
    return { ...previous, last_dry_run: record };
  }
  const lastReal = previous === undefined ? undefined : lastRealRunOf(previous);
  if (lastReal !== undefined) {
    record.last_real_run = {
      finished_at: lastReal.finishedAt.toISOString(),
      success: lastReal.success,
    };
  }
  return record;
}

function recordOf(report: JobReport): CleanupRecord {
  const record: CleanupRecord = {
    job_name: report.jobName,
    mode: report.mode,
    dry_run: report.dryRun,
    interrupted: report.interrupted,
    started_at: report.startedAt.toISOString(),
    finished_at: report.finishedAt.toISOString(),
    success: report.success,
    errors: [
      ...report.errors,
      ...report.repositories.flatMap((repo) => prefixed(repo.repository, repo.errors)),
    ],
    warnings: jobWarnings(report),
    found_tags: report.deletedTags.map(foundTag),
    found_tags_count: report.deletedTags.length + report.deletedTagsOmitted,
    repo_stats: report.repositories.map((summary) => ({
      repository: summary.repository,
      examined: summary.examined,
      unmatched: summary.unmatched,
      kept: summary.kept,
      deleted: summary.deleted,
      errors: [...summary.errors],
      warnings: [...summary.warnings],
      ...(summary.skipped === undefined ? {} : { skipped: summary.skipped }),
    })),
  };
  if (report.deletedTagsOmitted > 0) record.found_tags_omitted = report.deletedTagsOmitted;
  if (report.journal !== undefined) record.journal = report.journal;
  return record;
}

function foundTag(tag: DeletedTag): FoundTag {
  return {
    repository: tag.repository,
    tag: tag.tag,
    digest: tag.digest,
    created: tag.created === undefined ? null : new Date(tag.created).toISOString(),
    status: tag.status,
  };
}

function prefixed(repository: string, messages: readonly string[]): string[] {
  return messages.map((message) => `${repository}: ${message}`);
}

/** Reads the scheduling facts back, from a record of any version of this tool. */
export function lastRealRunOf(record: CleanupRecord): LastRealRun | undefined {
  const source = record.dry_run ? record.last_real_run : record;
  if (source === undefined) return undefined;
  const finishedAt = new Date(source.finished_at);
  if (Number.isNaN(finishedAt.getTime()) || typeof source.success !== 'boolean') return undefined;
  return { finishedAt, success: source.success };
}
