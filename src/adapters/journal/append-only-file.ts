import { open } from 'node:fs/promises';
import { fsErrorCode } from '../shared/files/fs-error.js';

interface Pending {
  readonly text: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A file that only grows, each append on disk (fsync) before its promise resolves. Appends made
 * while a flush is under way are written together by the next one (group commit). The file is
 * opened per flush: a watch process keeps no handle open between runs.
 */
export class AppendOnlyFile {
  private pending: Pending[] = [];
  private flushing = false;
  /**
   * Set by a failed write, which may have left half a line: nothing more is appended after it,
   * so that a damaged line can only ever be the last one (which readers ignore).
   */
  private failure: Error | undefined;

  private constructor(readonly path: string) {}

  /** A new, empty file; undefined when `path` exists already. */
  static async create(path: string): Promise<AppendOnlyFile | undefined> {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.close();
    } catch (error) {
      if (fsErrorCode(error) === 'EEXIST') return undefined;
      throw error;
    }
    return new AppendOnlyFile(path);
  }

  append(text: string): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ text, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        const handle = await open(this.path, 'a');
        try {
          await handle.writeFile(batch.map((item) => item.text).join(''), 'utf8');
          await handle.sync();
        } finally {
          await handle.close();
        }
        for (const item of batch) item.resolve();
      } catch (error) {
        this.failure = error instanceof Error ? error : new Error(String(error));
        for (const item of [...batch, ...this.pending]) item.reject(error);
        this.pending = [];
      }
    }
    this.flushing = false;
  }
}
