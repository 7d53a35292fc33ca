import {
  JournalError,
  type DeletionJournal,
} from '../../src/application/ports/deletion-journal.port.js';
import type { JournalEntry } from '../../src/domain/deletion-journal.js';

/** Journals in memory, one per run (`<job>@<ISO start>`); `events` interleaves with other fakes. */
export class InMemoryDeletionJournal implements DeletionJournal {
  readonly journals = new Map<string, JournalEntry[]>();
  readonly pruned: { job: string; now: Date }[] = [];
  private failure: Error | undefined;

  constructor(private readonly onRecord: (entry: JournalEntry) => void = () => undefined) {}

  /** Every record() from now on throws (a full disk). */
  failWrites(error: Error): this {
    this.failure = error;
    return this;
  }

  entries(): JournalEntry[] {
    return [...this.journals.values()].flat();
  }

  record(entry: JournalEntry): Promise<string> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const location = `${entry.job}@${entry.runStartedAt.toISOString()}`;
    const list = this.journals.get(location) ?? [];
    list.push(entry);
    this.journals.set(location, list);
    this.onRecord(entry);
    return Promise.resolve(location);
  }

  prune(job: string, now: Date): Promise<void> {
    this.pruned.push({ job, now });
    return Promise.resolve();
  }

  latest(job: string): Promise<string | undefined> {
    const mine = [...this.journals.keys()].filter((key) => key.startsWith(`${job}@`)).sort();
    return Promise.resolve(mine.at(-1));
  }

  /** One folder here, no shards: the last run is the latest journal. */
  async lastRun(job: string): Promise<readonly string[]> {
    const latest = await this.latest(job);
    return latest === undefined ? [] : [latest];
  }

  read(location: string): Promise<JournalEntry[]> {
    const entries = this.journals.get(location);
    return entries === undefined
      ? Promise.reject(new JournalError(`no journal ${location}`))
      : Promise.resolve([...entries]);
  }
}
