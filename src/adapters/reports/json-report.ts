import { compareCodePoints } from '../../domain/code-point-order.js';
import type { DecisionReason, TagAction, TagDecision, TagRanking } from '../../domain/decision.js';
import { selectorLabel, type Job } from '../../domain/job.js';
import type {
  AccessoryResult,
  DeletionOutcome,
  DeletionResult,
  JobReport,
  UntagOutcome,
  JobTotals,
  RepositoryReport,
  RepositorySummary,
  RunMode,
  SkipReason,
} from '../../domain/job-report.js';
import { jobWarnings } from '../../domain/job-warnings.js';
import type { Shard } from '../../domain/shard.js';
import { ruleSummary, type RuleLine } from '../../domain/rule-summary.js';
import { noMatchDetail } from '../../domain/select-tags.js';
import { DEFAULT_TAG_ORDER, type TagOrder } from '../../domain/tag-order.js';
import { redact } from '../shared/secrets/redact.js';
import { undoCommand, undoPreviewCommand } from '../shared/undo-command.js';

/**
 * The JSON report (docs/report.schema.json), the source of the HTML and Markdown ones. It is
 * written in three parts so that repositories go to disk as they finish: a head, one line per
 * repository, and a tail. Every string that may carry text from the registry or an error
 * passes through redact(): no credential reaches a report.
 */
export const REPORT_SCHEMA_VERSION = 2;

export type RunStatus = 'success' | 'failed' | 'interrupted';
/** Version 2 (issue 21): the action `untag`, its outcome `untagged`, the `untagged` counts. */
export type TagOutcome = DeletionOutcome['status'] | UntagOutcome['status'];

export interface ReportJob {
  readonly name: string;
  readonly description: string | null;
  /** As written: literal names and `r/<regex>/`. */
  readonly repositories: readonly string[];
  readonly tagRegexps: readonly string[];
  readonly saveLast: number;
  readonly olderThanDays: number;
  /** How save_last counted the old tags (order_by). */
  readonly orderBy: TagOrder;
  /** As written; empty when the job has none. */
  readonly keepRegexps: readonly string[];
  /** 0 for manual jobs. */
  readonly cleanEveryHours: number;
  readonly schedule: string | null;
}

/** Everything known when the run starts. */
export interface ReportHead {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly tool: { readonly name: string; readonly version: string };
  readonly job: ReportJob;
  /** The job's rules in words (rule-summary.ts): what the HTML and Markdown show. */
  readonly rules: readonly RuleLine[];
  /** Base URL of the registry; never carries credentials. */
  readonly registry: string;
  readonly dryRun: boolean;
  readonly mode: RunMode;
  /** `--shard I/N`: the run covered only the job's repositories of shard `index` of `count`. */
  readonly shard?: Shard;
  readonly startedAt: string;
}

export interface ReportCounts {
  /** Tags that match a pattern of the job and got a decision. */
  readonly examined: number;
  /** Tags that match no pattern: listed, always kept. */
  readonly unmatched: number;
  readonly kept: number;
  /** Deleted, or that a dry run would delete. */
  readonly deleted: number;
  /** Removed alone, the image kept for another tag (`shared_digest: untag`), or would be. */
  readonly untagged: number;
  readonly failed: number;
}

export interface ReportSummary extends ReportCounts {
  readonly repositories: number;
  readonly reclaimableBytes: number;
}

/** What is known once the run is over (or, in a file still being written, so far). */
export interface ReportTail {
  readonly finishedAt: string;
  readonly status: RunStatus;
  readonly summary: ReportSummary;
  /** Job-level problems (auth refused, deletion disabled...). */
  readonly errors: readonly string[];
  /** Every warning of the run (jobWarnings): the job's, then "repository: warning". */
  readonly warnings: readonly string[];
  /** How to put back what the run deleted; null when it deleted nothing (or was a dry run). */
  readonly undo: ReportUndo | null;
}

export interface ReportUndo {
  /** The run's deletion journal, as the run wrote it. */
  readonly journal: string;
  readonly command: string;
  /** The command with --dry-run: what it would put back. */
  readonly preview: string;
}

export interface ReportTag {
  readonly tag: string;
  /** null when it was not read (a tag no pattern matches, in a repository with nothing to delete). */
  readonly digest: string | null;
  readonly created: string | null;
  readonly action: TagAction;
  readonly reason: DecisionReason;
  readonly detail: string;
  /** For an old tag that save_last counted: the order and its place in each group. */
  readonly ranking: TagRanking | null;
  /** What the deletion (or untag) did; null for a kept tag. A dry run's are `skipped`. */
  readonly outcome: TagOutcome | null;
  /** Why a deletion was skipped or failed. */
  readonly outcomeDetail: string | null;
}

export interface ReportRepository {
  readonly name: string;
  /** skipped: not finished, `skipped` says why (a shutdown signal). */
  readonly status: 'success' | 'failed' | 'skipped';
  readonly skipped?: SkipReason;
  readonly summary: ReportCounts;
  readonly reclaimableBytes: number;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  readonly tags: readonly ReportTag[];
  /**
   * Signatures, attestations and SBOMs deleted (or that a dry run would delete) with their
   * image, then orphans (`delete_orphaned_referrers`); absent when there are none.
   */
  readonly accessories?: readonly ReportAccessory[];
}

export interface ReportAccessory {
  readonly digest: string;
  /** Its accessory tags (`sha256-<hex>.sig`, the fallback tag); empty for a referrer manifest. */
  readonly tags: readonly string[];
  /** The image it belongs to. */
  readonly subject: string;
  /** true: its subject was already gone (deleted by `delete_orphaned_referrers`). */
  readonly orphan: boolean;
  readonly outcome: DeletionOutcome['status'];
  readonly outcomeDetail: string | null;
}

export function reportHead(
  job: Job,
  run: {
    readonly dryRun: boolean;
    readonly mode: RunMode;
    readonly startedAt: Date;
    readonly shard?: Shard;
  },
  tool: { readonly name: string; readonly version: string },
  registry: string,
): ReportHead {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool,
    job: {
      name: job.name,
      description: job.description ?? null,
      repositories: job.repositories.map(selectorLabel),
      tagRegexps: job.tagPatterns.map((pattern) => pattern.source),
      saveLast: job.saveLast,
      olderThanDays: job.olderThanDays,
      orderBy: job.orderBy ?? DEFAULT_TAG_ORDER,
      keepRegexps: (job.keepPatterns ?? []).map((pattern) => pattern.source),
      cleanEveryHours: job.cleanEveryHours,
      schedule: job.schedule ?? null,
    },
    rules: ruleSummary(job),
    registry,
    dryRun: run.dryRun,
    mode: run.mode,
    ...(run.shard === undefined
      ? {}
      : { shard: { index: run.shard.index, count: run.shard.count } }),
    startedAt: run.startedAt.toISOString(),
  };
}

/**
 * One repository: every tag, the ones no pattern matches too, sorted by name (code points), so
 * that the report of a dry run and of the real run after it compare line by line.
 */
export function reportRepository(
  job: Job,
  report: RepositoryReport,
  summary: RepositorySummary,
): ReportRepository {
  const deletions = new Map<string, DeletionResult>();
  for (const deletion of report.deletions) {
    for (const tag of deletion.tags) deletions.set(tag, deletion);
  }
  const untags = new Map<string, UntagOutcome>();
  for (const untag of report.untags ?? []) untags.set(untag.tag, untag.outcome);
  const decided = report.decisions.map((decision) => {
    if (decision.action === 'untag') return tagEntry(decision, untags.get(decision.tag));
    const outcome = decision.action === 'delete' ? deletions.get(decision.tag)?.outcome : undefined;
    return tagEntry(decision, outcome);
  });
  const unmatchedDetail = noMatchDetail(job);
  const unmatched = (report.unmatched ?? []).map((other): ReportTag => ({
    tag: other.tag,
    digest: other.digest ?? null,
    created: null,
    action: 'keep',
    reason: 'no-match',
    detail: redact(unmatchedDetail),
    ranking: null,
    outcome: null,
    outcomeDetail: null,
  }));
  return {
    name: report.repository,
    status: summary.failed > 0 ? 'failed' : summary.skipped !== undefined ? 'skipped' : 'success',
    ...(summary.skipped === undefined ? {} : { skipped: summary.skipped }),
    summary: countsOf(summary),
    reclaimableBytes: summary.reclaimableBytes,
    errors: summary.errors.map(redact),
    warnings: summary.warnings.map(redact),
    tags: [...decided, ...unmatched].sort((a, b) => compareCodePoints(a.tag, b.tag)),
    ...accessoriesOf(report),
  };
}

/** Each deleted image's accessories, then the orphans, as the run acted on them. */
function accessoriesOf(report: RepositoryReport): { accessories?: readonly ReportAccessory[] } {
  const entry = (accessory: AccessoryResult, orphan: boolean): ReportAccessory => ({
    digest: accessory.digest,
    tags: [...accessory.tags],
    subject: accessory.subject,
    orphan,
    outcome: accessory.outcome.status,
    outcomeDetail: outcomeDetail(accessory.outcome),
  });
  const accessories = [
    ...report.deletions.flatMap((deletion) =>
      (deletion.accessories ?? []).map((accessory) => entry(accessory, false)),
    ),
    ...(report.orphans ?? []).map((orphan) => entry(orphan, true)),
  ];
  return accessories.length > 0 ? { accessories } : {};
}

export function reportTail(report: JobReport): ReportTail {
  return {
    finishedAt: report.finishedAt.toISOString(),
    status: runStatus(report),
    summary: summaryOf(report.repositories.length, report.totals, unmatchedOf(report.repositories)),
    errors: report.errors.map(redact),
    warnings: jobWarnings(report).map(redact),
    undo:
      report.journal === undefined
        ? null
        : {
            journal: report.journal,
            command: undoCommand(report.journal),
            preview: undoPreviewCommand(report.journal),
          },
  };
}

/**
 * The tail a file carries while its run is under way: if the process dies before the end, the
 * file is still a valid report of the repositories done, marked interrupted.
 */
export function provisionalTail(at: Date, summary: ReportSummary): ReportTail {
  return {
    finishedAt: at.toISOString(),
    status: 'interrupted',
    summary,
    errors: [],
    warnings: [],
    undo: null,
  };
}

export function runStatus(report: JobReport): RunStatus {
  if (report.interrupted) return 'interrupted';
  return report.success ? 'success' : 'failed';
}

export const EMPTY_SUMMARY: ReportSummary = {
  repositories: 0,
  examined: 0,
  unmatched: 0,
  kept: 0,
  deleted: 0,
  untagged: 0,
  failed: 0,
  reclaimableBytes: 0,
};

/** A running summary plus one more repository. */
export function addToSummary(summary: ReportSummary, repository: RepositorySummary): ReportSummary {
  return {
    repositories: summary.repositories + 1,
    examined: summary.examined + repository.examined,
    unmatched: summary.unmatched + repository.unmatched,
    kept: summary.kept + repository.kept,
    deleted: summary.deleted + repository.deleted,
    untagged: summary.untagged + repository.untagged,
    failed: summary.failed + repository.failed,
    reclaimableBytes: summary.reclaimableBytes + repository.reclaimableBytes,
  };
}

function summaryOf(repositories: number, totals: JobTotals, unmatched: number): ReportSummary {
  return {
    repositories,
    examined: totals.examined,
    unmatched,
    kept: totals.kept,
    deleted: totals.deleted,
    untagged: totals.untagged,
    failed: totals.failed,
    reclaimableBytes: totals.reclaimableBytes,
  };
}

function unmatchedOf(repositories: readonly RepositorySummary[]): number {
  return repositories.reduce((sum, repository) => sum + repository.unmatched, 0);
}

function countsOf(summary: RepositorySummary): ReportCounts {
  return {
    examined: summary.examined,
    unmatched: summary.unmatched,
    kept: summary.kept,
    deleted: summary.deleted,
    untagged: summary.untagged,
    failed: summary.failed,
  };
}

type AnyOutcome = DeletionOutcome | UntagOutcome;

function tagEntry(decision: TagDecision, outcome: AnyOutcome | undefined): ReportTag {
  return {
    tag: decision.tag,
    digest: decision.digest ?? null,
    created: decision.created?.toISOString() ?? null,
    action: decision.action,
    reason: decision.reason,
    detail: redact(decision.detail),
    ranking: decision.ranking ?? null,
    outcome: outcome?.status ?? null,
    outcomeDetail: outcomeDetail(outcome),
  };
}

function outcomeDetail(outcome: AnyOutcome | undefined): string | null {
  if (outcome?.status === 'skipped') return redact(outcome.why);
  if (outcome?.status === 'failed') return redact(outcome.problem);
  if (outcome?.status === 'untagged') {
    return outcome.mechanism === 'tag-delete'
      ? 'removed by the registry tag DELETE'
      : 'moved onto a placeholder manifest that was then deleted by digest';
  }
  return null;
}
