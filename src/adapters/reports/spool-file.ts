import { open, unlink, type FileHandle } from 'node:fs/promises';
import { compareCodePoints } from '../../domain/code-point-order.js';
import { COPY_CHUNK_BYTES, copyRange, type FileRange } from './file-range.js';

/** Where one part's text sits in the file. */
interface Part extends FileRange {
  readonly name: string;
}

/**
 * Named parts of text written to a hidden file as they come, read back in name order (code
 * point by code point): the HTML report's repository sections, rendered as each repository
 * finishes instead of all at the end of the run, where the network is already idle (issue 25),
 * and without holding them in memory (a 20,000-tag report is 11 MB of HTML). Each part gets its
 * place in the file when it is added, so parts added at once are written side by side.
 */
export class SpoolFile {
  private readonly parts: Part[] = [];
  private length = 0;
  /** Settles once every write started so far has (a failed one rejects it). */
  private written: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  /** Creates (or empties) the file, readable by its owner only while it exists. */
  static async create(path: string): Promise<SpoolFile> {
    return new SpoolFile(await open(path, 'w+', 0o600), path);
  }

  add(name: string, text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    const start = this.length;
    this.length += bytes.length;
    this.parts.push({ name, start, length: bytes.length });
    const write = this.handle.write(bytes, 0, bytes.length, start).then(() => undefined);
    this.written = Promise.all([this.written, write]);
    return write;
  }

  /**
   * Every part's bytes, in name order, once all writes are done, handed to `write` in pieces of
   * COPY_CHUNK_BYTES through one buffer (copyRange): never a whole part in memory.
   */
  async copyInNameOrder(write: (bytes: Uint8Array) => Promise<void>): Promise<void> {
    await this.written;
    const sorted = [...this.parts].sort((a, b) => compareCodePoints(a.name, b.name));
    const buffer = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
    for (const part of sorted) await copyRange(this.handle, this.path, part, write, buffer);
  }

  /** Closes and deletes the file; never throws (it is a temporary file). */
  async remove(): Promise<void> {
    await this.written.catch(() => undefined);
    await this.handle.close().catch(() => undefined);
    await unlink(this.path).catch(() => undefined);
  }
}
