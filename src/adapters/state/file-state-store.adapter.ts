import { appendFileSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { inject, injectable } from 'inversify';
import { Clock } from '../../application/ports/clock.port.js';
import { Logger } from '../../application/ports/logger.port.js';
import type { HistoryEvent, StateStore } from '../../application/ports/state-store.port.js';
import type { JobReport, LastRealRun } from '../../domain/job-report.js';
import { writeFileAtomically } from '../files/atomic-write.js';
import { lastRealRunOf, toRecord, type CleanupRecord } from './cleanup-record.js';
import { isMissing } from '../files/fs-error.js';

/** Where the state lives (`--state-dir`, default ./cache). */
export const StateDir = Symbol('StateDir');

const LATEST = 'latest_cleanup.json';
const HISTORY = 'history.log';

/**
 * cache/latest_cleanup.json (one record per job, replaced atomically) and cache/history.log
 * (one line per start, finish or failure). Writes are queued so that concurrent jobs never
 * interleave; the records are kept in memory after the first read.
 */
@injectable()
export class FileStateStore implements StateStore {
  private records: Promise<Map<string, CleanupRecord>> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Jobs whose `started` line is written and whose end line is not (yet). */
  private readonly open = new Map<string, { readonly dryRun: boolean }>();

  constructor(
    @inject(StateDir) private readonly dir: string,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async lastRealRuns(): Promise<ReadonlyMap<string, LastRealRun>> {
    const runs = new Map<string, LastRealRun>();
    for (const [name, record] of await this.load()) {
      const run = lastRealRunOf(record);
      if (run !== undefined) runs.set(name, run);
    }
    return runs;
  }

  saveReport(report: JobReport): Promise<void> {
    return this.enqueue(async () => {
      const records = await this.load();
      records.set(report.jobName, toRecord(report, records.get(report.jobName)));
      await mkdir(this.dir, { recursive: true });
      const content = JSON.stringify(Object.fromEntries(records), null, 2) + '\n';
      await writeFileAtomically(join(this.dir, LATEST), content);
    });
  }

  appendHistory(event: HistoryEvent): Promise<void> {
    return this.enqueue(async () => {
      await mkdir(this.dir, { recursive: true });
      await appendFile(join(this.dir, HISTORY), historyLine(event) + '\n', 'utf8');
      if (event.kind === 'started') this.open.set(event.jobName, { dryRun: event.dryRun });
      else this.open.delete(event.report.jobName);
    });
  }

  /** Jobs started and not yet ended (a watch with none is idle). */
  openJobs(): readonly string[] {
    return [...this.open.keys()];
  }

  /**
   * A forced exit (a second signal, the grace period over): every job still open gets its
   * `interrupted` line now, synchronously, so that history.log never ends on a lone `started`.
   */
  endOpenJobsNow(at: Date, why: string): void {
    const lines = [...this.open].map(
      ([jobName, { dryRun }]) =>
        `${at.toISOString()} job=${jobName} interrupted${dryRun ? ' (dry run)' : ''} (${why})\n`,
    );
    this.open.clear();
    if (lines.length === 0) return;
    try {
      appendFileSync(join(this.dir, HISTORY), lines.join(''), 'utf8');
    } catch (error) {
      this.logger.warn('history.log could not be written', { error: String(error) });
    }
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private load(): Promise<Map<string, CleanupRecord>> {
    this.records ??= this.read();
    return this.records;
  }

  private async read(): Promise<Map<string, CleanupRecord>> {
    const path = join(this.dir, LATEST);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return new Map();
      throw error;
    }
    const parsed = parseRecords(text);
    if (parsed !== undefined) return parsed;
    // A truncated or hand-edited file must not stop the cleaner: keep it for inspection, start empty.
    const aside = `${path}.corrupt-${this.clock.now().toISOString().replace(/[:.]/g, '-')}`;
    await rename(path, aside);
    this.logger.warn('state file was unreadable; moved aside and starting with no records', {
      file: path,
      movedTo: aside,
    });
    return new Map();
  }
}

function parseRecords(text: string): Map<string, CleanupRecord> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const records = new Map<string, CleanupRecord>();
  for (const [name, record] of Object.entries(value as Record<string, unknown>)) {
    if (typeof record === 'object' && record !== null && !Array.isArray(record)) {
      records.set(name, record as CleanupRecord);
    }
  }
  return records;
}

export function historyLine(event: HistoryEvent): string {
  if (event.kind === 'started') {
    return `${event.at.toISOString()} job=${event.jobName} started${event.dryRun ? ' (dry run)' : ''}`;
  }
  const { report } = event;
  const totals = report.totals;
  const seconds = ((report.finishedAt.getTime() - report.startedAt.getTime()) / 1000).toFixed(1);
  return (
    `${report.finishedAt.toISOString()} job=${report.jobName} ${event.kind}` +
    `${report.dryRun ? ' (dry run)' : ''} examined=${totals.examined} kept=${totals.kept}` +
    ` ${report.dryRun ? 'would_delete' : 'deleted'}=${totals.deleted} failed=${totals.failed}` +
    ` duration=${seconds}s`
  );
}
