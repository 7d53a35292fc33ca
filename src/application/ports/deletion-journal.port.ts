import type { JournalEntry } from '../../domain/deletion-journal.js';

/**
 * Where real runs keep what they delete (issue 16): one journal per run of a job, appended to
 * before each DELETE. Journals hold manifests and tag names, never credentials.
 */
export interface DeletionJournal {
  /**
   * Appends `entry` to the journal of its run (job and runStartedAt) and resolves only once it
   * is flushed to disk, so that no DELETE goes out for a digest the journal might not hold.
   * Resolves to where the journal is (named in reports). Throws when it cannot be written.
   */
  record(entry: JournalEntry): Promise<string>;
  /** Removes the job's journals older than the retention (`journal_keep_days`). */
  prune(job: string, now: Date): Promise<void>;
  /** The journal of the job's last real run that deleted anything; undefined when none is kept. */
  latest(job: string): Promise<string | undefined>;
  /**
   * The journals of the job's last real run that deleted anything (`--restore --jobs`): the
   * latest journal, or, when that run was split in shards (`--shard I/N`, issue 24), the latest
   * journal of every shard of that split. Empty when none is kept.
   */
  lastRun(job: string): Promise<readonly string[]>;
  /**
   * Every entry of a journal, each checked against its digests. Throws JournalError when the
   * journal cannot be read or is not a journal. A torn last line (a crash while appending it)
   * is left out: its DELETE was never sent.
   */
  read(location: string): Promise<JournalEntry[]>;
}
export const DeletionJournal = Symbol('DeletionJournal');

/** A journal that cannot be used: missing, unreadable, damaged. Bad input, not a registry failure. */
export class JournalError extends Error {
  override readonly name = 'JournalError';
}
