/**
 * Where journals live: `<state-dir>/journal/<job>/<UTC yyyymmddThhmmssZ>.jsonl`, named after
 * the run's start. A second run of a job within the same second gets `-2`, `-3`...
 */

export const JOURNAL_FOLDER = 'journal';

/** A job name as one safe folder name: anything but [A-Za-z0-9_-] is %-escaped (reversible). */
export function jobFolderName(job: string): string {
  return Array.from(Buffer.from(job, 'utf8'))
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9_-]/.test(char)
        ? char
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** `2026-06-01T12:00:05.123Z` -> `20260601T120005Z`. */
export function runStamp(startedAt: Date): string {
  return startedAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
}

export function journalFileName(stamp: string, attempt: number): string {
  return attempt <= 1 ? `${stamp}.jsonl` : `${stamp}-${String(attempt)}.jsonl`;
}

export interface JournalFileName {
  readonly name: string;
  readonly startedAt: Date;
  readonly attempt: number;
}

const NAME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-(\d+))?\.jsonl$/;

/** The run a journal file belongs to; undefined for any other file. */
export function parseJournalFileName(name: string): JournalFileName | undefined {
  const match = NAME.exec(name);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, attempt] = match;
  const startedAt = new Date(
    `${year ?? ''}-${month ?? ''}-${day ?? ''}T${hour ?? ''}:${minute ?? ''}:${second ?? ''}Z`,
  );
  if (Number.isNaN(startedAt.getTime())) return undefined;
  return { name, startedAt, attempt: attempt === undefined ? 1 : Number(attempt) };
}

/** Oldest run first. */
export function byRun(a: JournalFileName, b: JournalFileName): number {
  return a.startedAt.getTime() - b.startedAt.getTime() || a.attempt - b.attempt;
}
