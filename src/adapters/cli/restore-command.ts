import type { Container } from 'inversify';
import { Notifier } from '../../application/ports/notifier.port.js';
import { RestoreJobs, type RestoreSource } from '../../application/restore-jobs.use-case.js';
import {
  countRestore,
  type RestoreReport,
  type TagRestoreOutcome,
} from '../../domain/restore-report.js';
import type { AppConfig } from '../config/app-config.js';
import { ConfigError } from '../config/config-error.js';
import { redact } from '../logging/redact.js';
import { table } from '../reports/console-table.observer.js';
import type { CliOptions } from './command-line.js';

/**
 * What `--restore --jobs` or `--restore-from` asks for. A job of either jobs file may be named
 * (its journals are kept by name); an unknown name is a configuration problem, like for a run.
 */
export function restoreSources(
  config: AppConfig,
  restore: NonNullable<CliOptions['restore']>,
): RestoreSource[] {
  if ('file' in restore) return [{ file: restore.file }];
  const known = [...config.manualJobs, ...config.watchJobs].map((job) => job.name);
  const names = [...new Set(restore.jobs)];
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    const knownText =
      known.length > 0 ? `known jobs: ${[...new Set(known)].join(', ')}` : 'no job is declared';
    throw new ConfigError(
      unknown.map((name) => ({
        file: config.configDir,
        message: `--restore --jobs names "${name}", which neither jobs.yaml nor manual.yaml declares (${knownText})`,
      })),
    );
  }
  return names.map((job) => ({ job }));
}

/**
 * `--restore`: runs RestoreJobs from the container main.ts built, then tells the notification
 * targets that listen to `restored` (a real restore only: a dry run writes nothing to undo).
 */
export async function runRestore(
  container: Container,
  sources: readonly RestoreSource[],
  dryRun: boolean,
  signal: AbortSignal,
): Promise<RestoreReport> {
  const report = await container.get(RestoreJobs).execute(sources, { dryRun, signal });
  if (!dryRun) await container.get<Notifier>(Notifier).restoreFinished(report);
  return report;
}

const HEADER = ['REPOSITORY', 'TAG', 'DIGEST', 'RESULT', 'DETAIL'] as const;

/** The restore as a table, then a summary line naming the journals. */
export function renderRestoreReport(report: RestoreReport): string {
  const lines: string[] = [];
  const dry = report.dryRun ? ' (dry run: nothing is written)' : '';
  for (const journal of report.journals) lines.push(`== restore from ${journal}${dry}`);
  const rows = report.tags.map(({ repository, tag, digest, outcome }) => [
    repository,
    tag,
    digest,
    ...describe(outcome),
  ]);
  if (rows.length > 0) lines.push(...table(HEADER, rows));
  else lines.push('(the journal lists no deleted tag)');
  const counts = countRestore(report);
  const done = report.dryRun
    ? `would restore ${String(counts['would-restore'])}`
    : `restored ${String(counts.restored)}`;
  lines.push(
    `restore: ${done}, already in place ${String(counts['in-place'])}, ` +
      `pushed again since (left alone) ${String(counts.moved)}, ` +
      `not restorable ${String(counts.refused)}, failed ${String(counts.failed)}`,
  );
  return `${lines.join('\n')}\n`;
}

function describe(outcome: TagRestoreOutcome): [string, string] {
  switch (outcome.status) {
    case 'restored':
      return ['RESTORED', 'the tag resolves to the journaled digest again'];
    case 'would-restore':
      return ['WOULD RESTORE', 'every blob it needs is still in the registry'];
    case 'in-place':
      return ['IN PLACE', 'the tag already points at the journaled digest: nothing to do'];
    case 'moved':
      return ['LEFT ALONE', `pushed again since: it now points at ${outcome.digest}`];
    case 'refused':
      return ['NOT RESTORABLE', redact(outcome.reason)];
    case 'failed':
      return ['FAILED', redact(outcome.problem)];
  }
}
