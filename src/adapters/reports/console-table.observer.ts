import { inject, injectable } from 'inversify';
import type {
  JobFinishedEvent,
  JobStartedEvent,
  RepositoryFinishedEvent,
  RunObserver,
} from '../../application/ports/run-observer.port.js';
import type { TagDecision } from '../../domain/decision.js';
import { formatInstant } from '../../domain/describe-time.js';
import type {
  DeletionResult,
  JobReport,
  RepositoryReport,
  UntagResult,
} from '../../domain/job-report.js';
import { redact } from '../shared/secrets/redact.js';
import { shardLabel } from '../../domain/shard.js';
import { undoCommand } from '../shared/undo-command.js';
import { formatBytes } from '../shared/text/numbers.js';
import { table } from '../shared/text/text-table.js';
import { ConsoleTurns } from './console-turns.js';

/** Where the table goes: process.stdout in production, a string buffer in tests. */
export interface TextSink {
  write(text: string): unknown;
}
export const ReportStream = Symbol('ReportStream');

export const GARBAGE_COLLECTION_REMINDER =
  "Deleting manifests frees no disk space by itself: run the registry's garbage collector, e.g. " +
  '`docker-registry garbage-collect /etc/docker/registry/config.yml` (Debian package) or ' +
  '`registry garbage-collect /etc/docker/registry/config.yml` inside the registry container. ' +
  'Until it runs, `reg-cleaner --restore` can put the deleted tags back; after it, only the ' +
  'manifests whose blobs it left.';

const HEADER = ['REPOSITORY', 'TAG', 'CREATED', 'DECISION', 'REASON', 'DETAIL'] as const;

/**
 * The operator's view of a run on stdout, printed as it happens: a line when a job starts, a
 * table per repository as soon as it is done, and a summary with problems and reminders. Jobs
 * that run at the same time take turns (ConsoleTurns): one job's lines are never mixed with
 * another's.
 */
@injectable()
export class ConsoleTableObserver implements RunObserver {
  /** Concurrent jobs print one after the other, each in one piece. */
  private readonly turns: ConsoleTurns;

  constructor(@inject(ReportStream) out: TextSink) {
    this.turns = new ConsoleTurns(out);
  }

  jobStarted(event: JobStartedEvent): Promise<void> {
    const dry = event.dryRun ? ' (dry run: nothing will be deleted)' : '';
    const count =
      event.cannotStart !== undefined
        ? `but cannot go on: ${redact(event.cannotStart)}`
        : event.repositories === 1
          ? '1 repository'
          : `${event.repositories} repositories`;
    const shard = event.shard === undefined ? '' : ` (shard ${shardLabel(event.shard)})`;
    this.turns.start(event.job.name, `\n== ${event.job.name}${shard}: started${dry}, ${count}\n`);
    return Promise.resolve();
  }

  repositoryFinished(event: RepositoryFinishedEvent): Promise<void> {
    // A repository a shutdown skipped has no table: the summary counts them in one line.
    if (event.report.skipped === undefined)
      this.turns.write(event.jobName, renderRepository(event.jobName, event.report, event.dryRun));
    return Promise.resolve();
  }

  jobFinished(event: JobFinishedEvent): Promise<void> {
    this.turns.finish(event.report.jobName, renderSummary(event.report));
    return Promise.resolve();
  }
}

/** One repository's block: a heading naming the job, then a row per examined tag. */
export function renderRepository(
  jobName: string,
  report: RepositoryReport,
  dryRun: boolean,
): string {
  const deletions = deletionsByTag(report.deletions);
  const untags = new Map((report.untags ?? []).map((untag) => [untag.tag, untag]));
  const rows = [...report.decisions]
    .sort(newestFirst)
    .map((decision) => rowOf(decision, dryRun, deletions, untags));
  const lines = [`-- ${jobName}: ${report.repository}`];
  if (rows.length > 0) lines.push(...table(HEADER, rows));
  else if ((report.unmatchedTags ?? 0) > 0)
    lines.push(`(none of its ${report.unmatchedTags} tags matches the job's tag patterns)`);
  else lines.push('(no tags examined)');
  return `${lines.join('\n')}\n`;
}

/** The end of one job: status, totals, every problem, reminders. */
export function renderSummary(report: JobReport): string {
  const lines: string[] = [];
  lines.push(`== ${report.jobName}${report.dryRun ? ' (dry run)' : ''}: ${statusOf(report)}`);
  const totals = report.totals;
  const deletedLabel = report.dryRun ? 'would delete' : 'deleted';
  // The space is what operators ask first; the reports explain how it is counted.
  const space =
    totals.deleted > 0 && totals.reclaimableBytes > 0
      ? ` (${formatBytes(totals.reclaimableBytes)} for the garbage collector)`
      : '';
  const untagged =
    totals.untagged > 0 ? `${report.dryRun ? 'would untag' : 'untagged'} ${totals.untagged}, ` : '';
  lines.push(
    `${report.jobName}: repositories ${report.repositories.length}, examined ${totals.examined}, kept ${totals.kept}, ` +
      `${deletedLabel} ${totals.deleted}${space}, ${untagged}failed ${totals.failed}, ` +
      `in ${formatDuration(report.finishedAt.getTime() - report.startedAt.getTime())}`,
  );
  for (const error of report.errors) lines.push(`  error: ${redact(error)}`);
  for (const warning of report.warnings) lines.push(`  warning: ${redact(warning)}`);
  for (const repository of report.repositories) {
    for (const error of repository.errors)
      lines.push(`  error: ${repository.repository}: ${redact(error)}`);
    for (const warning of repository.warnings)
      lines.push(`  warning: ${repository.repository}: ${redact(warning)}`);
  }
  const skipped = report.repositories.filter((repository) => repository.skipped !== undefined);
  if (skipped.length > 0)
    lines.push(
      `  skipped (shutdown): ${skipped.length} of ${report.repositories.length} repositories not finished`,
    );
  if (report.interrupted)
    lines.push('  stopped by a signal before the job was done: run it again to finish');
  const deletedAnything =
    report.deletedTagsOmitted > 0 || report.deletedTags.some((tag) => tag.status === 'deleted');
  if (!report.dryRun && deletedAnything) lines.push(`  note: ${GARBAGE_COLLECTION_REMINDER}`);
  if (report.journal !== undefined) lines.push(`  ${journalLine(report.journal)}`);
  return `${lines.join('\n')}\n`;
}

/** Where the run's deletions are journaled, and the command that undoes them (issue 16). */
export function journalLine(journal: string): string {
  return `journal: ${journal} (undo: ${undoCommand(journal)})`;
}

function statusOf(report: JobReport): string {
  if (report.interrupted) return 'interrupted';
  return report.success ? 'finished' : 'FAILED';
}

function deletionsByTag(deletions: readonly DeletionResult[]): ReadonlyMap<string, DeletionResult> {
  const byTag = new Map<string, DeletionResult>();
  for (const deletion of deletions) {
    for (const tag of deletion.tags) byTag.set(tag, deletion);
  }
  return byTag;
}

function rowOf(
  decision: TagDecision,
  dryRun: boolean,
  deletions: ReadonlyMap<string, DeletionResult>,
  untags: ReadonlyMap<string, UntagResult>,
): string[] {
  const created = decision.created === undefined ? '-' : formatInstant(decision.created);
  const [label, note] =
    decision.action === 'untag'
      ? untagLabel(dryRun, untags.get(decision.tag))
      : decisionLabel(decision, dryRun, deletions.get(decision.tag));
  const detail = note === undefined ? decision.detail : `${decision.detail} (${note})`;
  return [decision.repository, decision.tag, created, label, decision.reason, redact(detail)];
}

function decisionLabel(
  decision: TagDecision,
  dryRun: boolean,
  deletion: DeletionResult | undefined,
): readonly [string, string | undefined] {
  if (decision.action === 'keep') return ['KEEP', undefined];
  if (dryRun) return ['WOULD DELETE', undefined];
  const outcome = deletion?.outcome;
  if (outcome === undefined) return ['DELETED', undefined];
  switch (outcome.status) {
    case 'deleted':
      return ['DELETED', undefined];
    case 'already-gone':
      return ['DELETED', 'already gone'];
    case 'skipped':
      return ['NOT DELETED', outcome.why];
    case 'failed':
      return ['DELETE FAILED', outcome.problem];
  }
}

/** A tag removed alone (`shared_digest: untag`): its image stays for a kept tag. */
function untagLabel(
  dryRun: boolean,
  untag: UntagResult | undefined,
): readonly [string, string | undefined] {
  const kept = untag === undefined ? undefined : `image kept for \`${untag.keptFor}\``;
  if (dryRun || untag === undefined) return ['WOULD UNTAG', kept];
  switch (untag.outcome.status) {
    case 'untagged':
      return ['UNTAGGED', `${kept ?? ''}, by ${untag.outcome.mechanism}`];
    case 'already-gone':
      return ['UNTAGGED', 'already gone'];
    case 'skipped':
      return ['NOT UNTAGGED', untag.outcome.why];
    case 'failed':
      return ['UNTAG FAILED', untag.outcome.problem];
  }
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(Math.max(ms, 0) / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/** Rows of a repository read newest first, like the selection ranks them; undated tags last. */
function newestFirst(a: TagDecision, b: TagDecision): number {
  const byDate = (b.created?.getTime() ?? -Infinity) - (a.created?.getTime() ?? -Infinity);
  if (byDate !== 0 && !Number.isNaN(byDate)) return byDate;
  return a.tag < b.tag ? 1 : a.tag > b.tag ? -1 : 0;
}
