import { compareCodePoints } from '../../domain/code-point-order.js';
import type { Job } from '../../domain/job.js';
import type { JobReport, RunMode } from '../../domain/job-report.js';
import { jobWarnings } from '../../domain/job-warnings.js';
import { shardLabel } from '../../domain/shard.js';
import type { NotifyOn } from '../../domain/notification-policy.js';
import { ruleSummary, type RuleLine } from '../../domain/rule-summary.js';
import type { ReportLocation } from '../shared/report-location.js';
import { undoCommand, undoPreviewCommand } from '../shared/undo-command.js';

/** How much of the long lists a message may carry; the rest is counted ("and N more"). */
export interface ListCaps {
  readonly tags: number;
  readonly errors: number;
}

export interface SummaryTag {
  readonly repository: string;
  readonly tag: string;
}

/** How to put back what a real run deleted (issue 27, item 6). */
export interface SummaryUndo {
  /** The run's deletion journal, as the run wrote it. */
  readonly journal: string;
  /** Puts back every tag the journal lists. */
  readonly command: string;
  /** The same with --dry-run: what it would put back. */
  readonly preview: string;
}

/** What a message knows besides the job report: the job's rules and where its report is. */
export interface RunContext {
  /** The job as it ran; its rules are summarised. */
  readonly job?: Job;
  readonly report?: ReportLocation;
}

/**
 * What a message says about one run (issue 11, "What"). Never a credential: the registry is
 * named by its host only, and errors are the run's own messages (which never hold secrets).
 */
export interface RunSummary {
  readonly job: string;
  /** host[:port] of the registry. */
  readonly registry: string;
  readonly mode: RunMode;
  readonly dryRun: boolean;
  readonly status: 'succeeded' | 'failed' | 'interrupted';
  /** Why this target hears about the run. */
  readonly reasons: readonly NotifyOn[];
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly counts: {
    readonly examined: number;
    readonly kept: number;
    readonly deleted: number;
    /** Tags removed alone, their image kept (`shared_digest: untag`); would be, in a dry run. */
    readonly untagged: number;
    readonly failed: number;
  };
  /** What the registry's garbage collector can free after this run (would, in a dry run). */
  readonly reclaimableBytes: number;
  /** Deleted tags (in a dry run: that would be), the first `caps.tags` of them. */
  readonly deletedTags: readonly SummaryTag[];
  /** Deleted tags not listed. */
  readonly deletedTagsOmitted: number;
  /** Job errors, repository errors ("repo: message") and failed deletions, capped. */
  readonly errors: readonly string[];
  readonly errorsOmitted: number;
  /** Job warnings (the job's, then "repo: message"), capped like the errors. */
  readonly warnings: readonly string[];
  readonly warningsOmitted: number;
  /** True when a list above was cut. */
  readonly truncated: boolean;
  /** What the job keeps and deletes (empty when the job is not known). */
  readonly rules: readonly RuleLine[];
  /** Present when the run deleted something (and so wrote a journal). */
  readonly undo?: SummaryUndo;
  /** The run's report, when reports are on. */
  readonly report?: ReportLocation;
  /** `--shard I/N` as written (`1/3`): the run covered that shard of the job's repositories. */
  readonly shard?: string;
}

export function summariseRun(
  report: JobReport,
  registryHost: string,
  reasons: readonly NotifyOn[],
  caps: ListCaps,
  context: RunContext = {},
): RunSummary {
  const done = report.deletedTags.filter(
    (tag) =>
      tag.status === 'deleted' ||
      tag.status === 'already-gone' ||
      (report.dryRun && tag.status === 'skipped'),
  );
  // By repository and tag: a dry run and the real run after it list the same lines.
  const deletedTags = done
    .map((tag) => ({ repository: tag.repository, tag: tag.tag }))
    .sort(byRepositoryAndTag)
    .slice(0, caps.tags);
  const deletedTagsOmitted = Math.max(0, report.totals.deleted - deletedTags.length);
  const allErrors = errorsOf(report);
  const errors = allErrors.slice(0, caps.errors);
  const errorsOmitted = allErrors.length - errors.length;
  const allWarnings = jobWarnings(report);
  const warnings = allWarnings.slice(0, caps.errors);
  const warningsOmitted = allWarnings.length - warnings.length;
  return {
    job: report.jobName,
    ...(report.shard === undefined ? {} : { shard: shardLabel(report.shard) }),
    registry: registryHost,
    mode: report.mode,
    dryRun: report.dryRun,
    status: report.interrupted ? 'interrupted' : report.success ? 'succeeded' : 'failed',
    reasons,
    startedAt: report.startedAt.toISOString(),
    finishedAt: report.finishedAt.toISOString(),
    durationMs: Math.max(0, report.finishedAt.getTime() - report.startedAt.getTime()),
    counts: {
      examined: report.totals.examined,
      kept: report.totals.kept,
      deleted: report.totals.deleted,
      untagged: report.totals.untagged,
      failed: report.totals.failed,
    },
    reclaimableBytes: report.totals.reclaimableBytes,
    deletedTags,
    deletedTagsOmitted,
    errors,
    errorsOmitted,
    warnings,
    warningsOmitted,
    truncated: deletedTagsOmitted > 0 || errorsOmitted > 0 || warningsOmitted > 0,
    rules: context.job === undefined ? [] : ruleSummary(context.job),
    ...(report.journal === undefined ? {} : { undo: undoOf(report.journal) }),
    ...(context.report === undefined ? {} : { report: context.report }),
  };
}

function undoOf(journal: string): SummaryUndo {
  return { journal, command: undoCommand(journal), preview: undoPreviewCommand(journal) };
}

export function byRepositoryAndTag(a: SummaryTag, b: SummaryTag): number {
  return compareCodePoints(a.repository, b.repository) || compareCodePoints(a.tag, b.tag);
}

/**
 * The undo advice of a message, as plain sentences every format shows (code-styled where it
 * can): the command for a run that deleted, a word for a dry run, nothing otherwise.
 */
export function undoAdvice(
  summary: RunSummary,
): { readonly text: string; readonly code?: string }[] {
  if (summary.undo !== undefined) {
    return [
      {
        text: 'To put the deleted tags back (before the garbage collector runs):',
        code: summary.undo.command,
      },
      { text: 'To see first what it would put back:', code: summary.undo.preview },
    ];
  }
  if (summary.dryRun)
    return [{ text: 'Dry run: nothing was deleted, so there is nothing to undo.' }];
  return [];
}

/** Where the report is, in words: its link when published, else its path. */
export function reportWords(report: ReportLocation): string {
  return report.url ?? report.path;
}

function errorsOf(report: JobReport): string[] {
  const errors = [...report.errors];
  for (const repository of report.repositories) {
    for (const error of repository.errors) errors.push(`${repository.repository}: ${error}`);
  }
  for (const tag of report.deletedTags) {
    if (tag.status === 'failed') errors.push(`${tag.repository}:${tag.tag}: deletion failed`);
  }
  if (report.interrupted) errors.push('interrupted by a shutdown signal before the end');
  return errors;
}

/** One line, for chat previews, logs and the webhook's fallback: no list, no secret. */
export function headline(summary: RunSummary): string {
  const what = summary.dryRun ? 'dry run' : 'run';
  const untagged =
    summary.counts.untagged > 0
      ? `${summary.counts.untagged} ${summary.dryRun ? 'would be untagged' : 'untagged'}, `
      : '';
  const counts = `${summary.counts.deleted} ${summary.dryRun ? 'would be deleted' : 'deleted'}, ${untagged}${summary.counts.failed} failed`;
  return `reg-cleaner ${what} of job ${jobLabel(summary)} on ${summary.registry} ${summary.status}: ${counts}`;
}

/** The job's name, and its shard when the run was one (`clean-dev (shard 1/3)`). */
export function jobLabel(summary: Pick<RunSummary, 'job' | 'shard'>): string {
  return summary.shard === undefined ? summary.job : `${summary.job} (shard ${summary.shard})`;
}

export function formatDurationMs(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return minutes < 60
    ? `${minutes} min ${seconds} s`
    : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "and N more" for a cut list; empty when nothing was cut. */
export function andMore(omitted: number): string {
  return omitted > 0 ? `and ${omitted} more` : '';
}
