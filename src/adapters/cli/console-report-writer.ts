import { inject, injectable } from 'inversify';
import type { ReportWriter } from '../../application/ports/report-writer.port.js';
import type { TagDecision } from '../../domain/decision.js';
import { formatInstant } from '../../domain/describe-time.js';
import { type DeletionResult, type JobReport, totalsOf } from '../../domain/job-report.js';
import { redact } from '../logging/redact.js';

/** Where the report goes: process.stdout in production, a string buffer in tests. */
export interface TextSink {
  write(text: string): unknown;
}
export const ReportStream = Symbol('ReportStream');

export const GARBAGE_COLLECTION_REMINDER =
  "Deleting manifests frees no disk space by itself: run the registry's garbage collector, e.g. " +
  '`docker-registry garbage-collect /etc/docker/registry/config.yml` (Debian package) or ' +
  '`registry garbage-collect /etc/docker/registry/config.yml` inside the registry container.';

/** The operator's view of a run on stdout: one table per job, a summary, problems, reminders. */
@injectable()
export class ConsoleReportWriter implements ReportWriter {
  constructor(@inject(ReportStream) private readonly out: TextSink) {}

  jobStarted(jobName: string, dryRun: boolean): void {
    this.out.write(
      `\n== ${jobName}: started${dryRun ? ' (dry run: nothing will be deleted)' : ''}\n`,
    );
  }

  jobFinished(report: JobReport): void {
    this.out.write(renderReport(report));
  }
}

/** The whole text for one finished job. Exported for tests and for reuse (e.g. a log dump). */
export function renderReport(report: JobReport): string {
  const lines: string[] = [];
  const title = `== ${report.jobName}${report.dryRun ? ' (dry run)' : ''}: ${statusOf(report)}`;
  lines.push(title);
  const rows = report.repositories.flatMap((repository) => {
    const deletions = deletionsByTag(repository.deletions);
    return [...repository.decisions]
      .sort(newestFirst)
      .map((decision) => rowOf(decision, report.dryRun, deletions));
  });
  if (rows.length > 0)
    lines.push(...table(['REPOSITORY', 'TAG', 'CREATED', 'DECISION', 'REASON', 'DETAIL'], rows));
  else lines.push('(no tags examined)');

  const totals = totalsOf(report);
  const deletedLabel = report.dryRun ? 'would delete' : 'deleted';
  lines.push(
    `${report.jobName}: examined ${totals.examined}, kept ${totals.kept}, ${deletedLabel} ${totals.deleted}, failed ${totals.failed}, ` +
      `in ${formatDuration(report.finishedAt.getTime() - report.startedAt.getTime())}`,
  );
  for (const error of report.errors) lines.push(`  error: ${redact(error)}`);
  for (const repository of report.repositories) {
    for (const error of repository.errors)
      lines.push(`  error: ${repository.repository}: ${redact(error)}`);
    for (const warning of repository.warnings)
      lines.push(`  warning: ${repository.repository}: ${redact(warning)}`);
  }
  if (report.interrupted)
    lines.push('  stopped by a signal before the job was done: run it again to finish');
  const deletedAnything = report.repositories.some((repository) =>
    repository.deletions.some((deletion) => deletion.outcome.status === 'deleted'),
  );
  if (!report.dryRun && deletedAnything) lines.push(`  note: ${GARBAGE_COLLECTION_REMINDER}`);
  return `${lines.join('\n')}\n`;
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
): string[] {
  const created = decision.created === undefined ? '-' : formatInstant(decision.created);
  const [label, note] = decisionLabel(decision, dryRun, deletions.get(decision.tag));
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
  if (outcome === undefined) return ['DELETE', undefined];
  switch (outcome.status) {
    case 'deleted':
      return ['DELETE', undefined];
    case 'already-gone':
      return ['DELETE', 'already gone'];
    case 'skipped':
      return ['NOT DELETED', outcome.why];
    case 'failed':
      return ['DELETE FAILED', outcome.problem];
  }
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
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
