import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { inject, injectable } from 'inversify';
import { DeletionJournal, JournalError } from '../../application/ports/deletion-journal.port.js';
import { Logger } from '../../application/ports/logger.port.js';
import type { JournalEntry } from '../../domain/deletion-journal.js';
import { StateDir } from '../shared/files/state-dir.js';
import { AppendOnlyFile } from './append-only-file.js';
import {
  byRun,
  JOURNAL_FOLDER,
  jobFolderName,
  journalFileName,
  parseJournalFileName,
  runStamp,
  type JournalFileName,
} from './journal-files.js';
import { parseJournalLine, toJournalLine } from './journal-line.js';
import { JournalSettings } from './journal-settings.js';
import { fsErrorCode, isMissing } from '../shared/files/fs-error.js';
import { parseShardFolderName } from '../shared/files/shard-folder.js';

const DAY_MS = 86_400_000;
/** Runs of one job starting within the same second: more than this is not a clock. */
const MAX_ATTEMPTS = 100;

/** The journal a run is writing: its file is created on the run's first deletion. */
interface OpenRun {
  readonly startedAt: number;
  readonly file: Promise<AppendOnlyFile>;
}

/**
 * Deletion journals as JSON lines in the state folder (issue 16). Each append is flushed to
 * disk (fsync) before it resolves; appends that arrive while one is being flushed share the
 * next flush, so concurrent deletions cost one fsync per batch, not one each.
 */
@injectable()
export class FileDeletionJournal implements DeletionJournal {
  private readonly runs = new Map<string, OpenRun>();

  constructor(
    @inject(StateDir) private readonly stateDir: string,
    @inject(JournalSettings) private readonly settings: JournalSettings,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async record(entry: JournalEntry): Promise<string> {
    const file = await this.fileOf(entry.job, entry.runStartedAt);
    await file.append(toJournalLine(entry));
    return file.path;
  }

  async prune(job: string, now: Date): Promise<void> {
    const cutoff = now.getTime() - this.settings.keepDays * DAY_MS;
    const folder = this.folderOf(job);
    for (const journal of await this.journalsOf(job)) {
      if (journal.startedAt.getTime() >= cutoff) continue;
      await unlink(join(folder, journal.name)).catch((error: unknown) => {
        this.logger.warn('an expired deletion journal could not be removed', {
          file: join(folder, journal.name),
          error: error instanceof Error ? error.message : String(error),
        });
      });
    }
  }

  async latest(job: string): Promise<string | undefined> {
    const last = (await this.journalsOf(job)).at(-1);
    return last === undefined ? undefined : join(this.folderOf(job), last.name);
  }

  async lastRun(job: string): Promise<readonly string[]> {
    const lasts: ShardJournal[] = [];
    for (const place of await this.places()) {
      const last = (await this.journalsOf(job, place.dir)).at(-1);
      if (last !== undefined) lasts.push({ ...place, journal: last });
    }
    const newest = lasts.reduce<ShardJournal | undefined>(
      (found, next) =>
        found === undefined || byRun(found.journal, next.journal) < 0 ? next : found,
      undefined,
    );
    if (newest === undefined) return [];
    // The last run is the newest journal's split: every shard of it (a split used before, or
    // the unsharded folder of an earlier run, is an older run and stays out).
    return lasts
      .filter((last) => last.count === newest.count)
      .map((last) => join(this.folderOf(job, last.dir), last.journal.name));
  }

  async read(location: string): Promise<JournalEntry[]> {
    let content: string;
    try {
      content = await readFile(location, 'utf8');
    } catch (error) {
      const code = fsErrorCode(error) ?? 'unreadable';
      throw new JournalError(`the journal ${location} cannot be read (${code})`);
    }
    const lines = content.split('\n');
    // Everything after the last newline was being appended when the process died: that
    // entry's flush never finished, so its DELETE was never sent.
    const torn = lines.pop() ?? '';
    const entries = lines.map((line, index) => parseJournalLine(line, location, index + 1));
    if (torn !== '') {
      this.logger.warn(
        'the last line of the journal is incomplete (a crash while writing it); it is ignored',
        {
          file: location,
        },
      );
    }
    return entries;
  }

  private folderOf(job: string, stateDir = this.stateDir): string {
    return join(stateDir, JOURNAL_FOLDER, jobFolderName(job));
  }

  /**
   * The state folder and its shard sub-folders (`shard-I-of-N/`, issue 24), in shard order: a
   * restore without --shard finds the journals every shard wrote.
   */
  private async places(): Promise<Place[]> {
    let names: string[];
    try {
      names = await readdir(this.stateDir);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const shards = names
      .map((name) => ({ name, shard: parseShardFolderName(name) }))
      .flatMap(({ name, shard }) =>
        shard === undefined ? [] : [{ dir: join(this.stateDir, name), ...shard }],
      )
      .sort((a, b) => a.count - b.count || a.index - b.index);
    // count 0: not split (a `shard-0-of-1/` run is another layout, however pointless).
    return [{ dir: this.stateDir, count: 0, index: 0 }, ...shards];
  }

  private async journalsOf(job: string, stateDir = this.stateDir): Promise<JournalFileName[]> {
    let names: string[];
    try {
      names = await readdir(this.folderOf(job, stateDir));
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    return names
      .map(parseJournalFileName)
      .filter((name): name is JournalFileName => name !== undefined)
      .sort(byRun);
  }

  private fileOf(job: string, startedAt: Date): Promise<AppendOnlyFile> {
    const open = this.runs.get(job);
    if (open?.startedAt === startedAt.getTime()) return open.file;
    // A job's runs never overlap: a new start means the previous run's journal is complete.
    const file = this.create(job, startedAt);
    this.runs.set(job, { startedAt: startedAt.getTime(), file });
    file.catch(() => {
      if (this.runs.get(job)?.file === file) this.runs.delete(job);
    });
    return file;
  }

  private async create(job: string, startedAt: Date): Promise<AppendOnlyFile> {
    const folder = this.folderOf(job);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const stamp = runStamp(startedAt);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const path = join(folder, journalFileName(stamp, attempt));
      const created = await AppendOnlyFile.create(path);
      if (created !== undefined) {
        await syncFolder(folder);
        return created;
      }
    }
    throw new Error(`no free journal file name for ${stamp} in ${folder}`);
  }
}

/** A state folder: the unsharded one (count 0), or the folder of shard `index` of `count`. */
interface Place {
  readonly dir: string;
  readonly count: number;
  readonly index: number;
}

interface ShardJournal extends Place {
  readonly journal: JournalFileName;
}

/** The new file's name is on disk too, not only its content (fsync of the folder). */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
