import { open, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ReportHead, ReportRepository, ReportTail } from './json-report.js';
import { compareCodePoints } from '../../domain/code-point-order.js';
import { writeAtomically, type WriteText } from '../shared/files/atomic-write.js';
import { tempNameFor } from './reports-folder.js';
import { COPY_CHUNK_BYTES, copyRange, type FileRange } from './file-range.js';

/**
 * The JSON report on disk, laid out one part per line so that it can be written repository by
 * repository and read back the same way with bounded memory:
 *
 *   {"schemaVersion":2,...,"startedAt":"...","repositories":[
 *   {"name":"team/app",...}
 *   ,{"name":"team/web",...}
 *   ],"finishedAt":"...","status":"success","summary":{...},"errors":[]}
 *
 * After every repository the tail is written again after it, so the file is a complete, valid
 * report at every moment between writes: a run that dies leaves one marked interrupted.
 */
const REPOSITORIES_OPEN = ',"repositories":[';

/** Where one repository's JSON object sits in the file (no separator, no newline). */
interface RepositoryAt extends FileRange {
  readonly name: string;
}

export class JsonReportFile {
  /** In the order they were written; finish() puts them in name order. */
  private readonly repositories: RepositoryAt[] = [];
  /** Bytes of the head line, newline included. */
  private headLength = 0;
  /** Where the tail starts: the next repository overwrites it. */
  private tailAt = 0;
  private length = 0;
  /** Repositories finish concurrently: their writes go one after the other. */
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  /** Creates (or replaces) the file with the run's head and a provisional tail. */
  static async create(path: string, head: ReportHead, tail: ReportTail): Promise<JsonReportFile> {
    // Read back by finish() (name order, the HTML and Markdown): opened for both.
    const handle = await open(path, 'w+', 0o644);
    const file = new JsonReportFile(handle, path);
    try {
      const line = `${JSON.stringify(head).slice(0, -1)}${REPOSITORIES_OPEN}\n`;
      await file.writeAt(0, line, tail);
      file.headLength = Buffer.byteLength(line, 'utf8');
    } catch (error) {
      await handle.close();
      throw error;
    }
    return file;
  }

  /** Appends one repository, followed by the tail as it now stands. */
  add(repository: ReportRepository, tail: ReportTail): Promise<void> {
    return this.serially(async () => {
      const separator = this.repositories.length === 0 ? '' : ',';
      const json = JSON.stringify(repository);
      const start = this.tailAt + separator.length;
      await this.writeAt(this.tailAt, `${separator}${json}\n`, tail);
      this.repositories.push({
        name: repository.name,
        start,
        length: Buffer.byteLength(json, 'utf8'),
      });
    });
  }

  /**
   * Writes the final tail and closes the file, its repositories in name order, code point by
   * code point (issue 27 item 8: they are written as they finish, an order that differs from
   * run to run; sorted, the report of a dry run and of the real run after it compare line by
   * line). Written in another order, the file is replaced atomically by a sorted copy (fsynced,
   * renamed over it), copied from the offsets kept while writing in pieces of one buffer
   * (copyRange): no repository is read whole or parsed. Already in order, it is fsynced as is.
   */
  finish(tail: ReportTail): Promise<void> {
    return this.serially(async () => {
      try {
        await this.writeAt(this.tailAt, '', tail);
        const sorted = [...this.repositories].sort((a, b) => compareCodePoints(a.name, b.name));
        if (sorted.every((entry, index) => entry === this.repositories[index])) {
          await this.handle.sync();
          return;
        }
        const buffer = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
        const copy = (range: FileRange, write: WriteText): Promise<void> =>
          copyRange(this.handle, this.path, range, write, buffer);
        await writeAtomically(
          this.path,
          async (write) => {
            await copy({ start: 0, length: this.headLength }, write);
            for (const [index, entry] of sorted.entries()) {
              if (index > 0) await write(',');
              await copy(entry, write);
              await write('\n');
            }
            await copy({ start: this.tailAt, length: this.length - this.tailAt }, write);
          },
          { mode: 0o644, tempName: tempNameFor(this.path) },
        );
      } finally {
        await this.handle.close();
      }
    });
  }

  /** Closes without another write (the file keeps its last tail). */
  close(): Promise<void> {
    return this.serially(() => this.handle.close());
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    // A failed write fails its caller; the writes after it still run.
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async writeAt(position: number, text: string, tail: ReportTail): Promise<void> {
    const bytes = Buffer.from(`${text}]${JSON.stringify(tail).replace(/^\{/, ',')}\n`, 'utf8');
    const lead = Buffer.byteLength(text, 'utf8');
    await this.handle.write(bytes, 0, bytes.length, position);
    const end = position + bytes.length;
    if (end < this.length) await this.handle.truncate(end);
    this.length = end;
    this.tailAt = position + lead;
  }
}

/**
 * Reads a report written by JsonReportFile: `onRepository` sees each repository in turn (one
 * in memory at a time); head and tail are returned.
 */
export async function scanJsonReport(
  path: string,
  onRepository: (repository: ReportRepository) => void | Promise<void>,
): Promise<{ readonly head: ReportHead; readonly tail: ReportTail }> {
  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  let head: ReportHead | undefined;
  let tail: ReportTail | undefined;
  for await (const line of lines) {
    if (head === undefined) {
      if (!line.endsWith(REPOSITORIES_OPEN)) throw new Error(`${path} is not a reg-cleaner report`);
      head = JSON.parse(`${line.slice(0, -REPOSITORIES_OPEN.length)}}`) as ReportHead;
    } else if (line.startsWith(']')) {
      tail = JSON.parse(`{${line.slice(2)}`) as ReportTail;
    } else if (line !== '') {
      await onRepository(
        JSON.parse(line.startsWith(',') ? line.slice(1) : line) as ReportRepository,
      );
    }
  }
  if (head === undefined || tail === undefined) throw new Error(`${path} is incomplete`);
  return { head, tail };
}

/** How much of the file's end is read at first to find the tail (it doubles until found). */
const TAIL_WINDOW = 64 * 1024;

/**
 * The head and tail of a report written by JsonReportFile, without reading the repositories
 * between them: the first line, and the last line that starts with `]`. For a summary of a
 * report that may be hundreds of megabytes long.
 */
export async function readReportEnds(
  path: string,
): Promise<{ readonly head: ReportHead; readonly tail: ReportTail }> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const first = await readFirstLine(handle, size);
    if (!first.endsWith(REPOSITORIES_OPEN)) throw new Error(`${path} is not a reg-cleaner report`);
    const head = JSON.parse(`${first.slice(0, -REPOSITORIES_OPEN.length)}}`) as ReportHead;
    for (let window = TAIL_WINDOW; ; window *= 2) {
      const start = Math.max(0, size - window);
      const { buffer } = await handle.read(Buffer.alloc(size - start), 0, size - start, start);
      const text = buffer.toString('utf8').replace(/\n$/, '');
      const at = text.lastIndexOf('\n]');
      if (at >= 0) return { head, tail: JSON.parse(`{${text.slice(at + 3)}`) as ReportTail };
      if (start === 0) throw new Error(`${path} is incomplete`);
    }
  } finally {
    await handle.close();
  }
}

/** The file's first line (without its line break), read in a doubling window. */
async function readFirstLine(handle: FileHandle, size: number): Promise<string> {
  for (let window = TAIL_WINDOW; ; window *= 2) {
    const length = Math.min(window, size);
    const { buffer } = await handle.read(Buffer.alloc(length), 0, length, 0);
    const text = buffer.toString('utf8');
    const end = text.indexOf('\n');
    if (end >= 0) return text.slice(0, end);
    if (length === size) return text;
  }
}
