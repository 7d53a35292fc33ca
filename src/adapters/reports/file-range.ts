import type { FileHandle } from 'node:fs/promises';

/** Where a piece of text sits in a file that is written piece by piece (bytes). */
export interface FileRange {
  readonly start: number;
  readonly length: number;
}

/** Bytes copied at a time by copyRange: one buffer, filled again for each piece. */
export const COPY_CHUNK_BYTES = 64 * 1024;

/**
 * Hands `range`'s bytes to `write` piece by piece through `buffer` (one of COPY_CHUNK_BYTES,
 * shared by the caller's copies), never decoded: putting a 20,000-tag report's parts in order
 * at the end of a run read each part whole and made a string of it (and the writer bytes
 * again), megabytes of garbage at once that set the run's peak memory (issue 25). `write` must
 * be done with a piece before it settles (the atomic writer is). A file that ends before the
 * range does was changed by someone else: an error naming it, not a short copy.
 */
export async function copyRange(
  handle: FileHandle,
  path: string,
  { start, length }: FileRange,
  write: (bytes: Uint8Array) => Promise<void>,
  buffer: Buffer,
): Promise<void> {
  let copied = 0;
  while (copied < length) {
    const want = Math.min(buffer.length, length - copied);
    const { bytesRead } = await handle.read(buffer, 0, want, start + copied);
    if (bytesRead === 0) throw new Error(`${path} changed while it was being read back`);
    await write(buffer.subarray(0, bytesRead));
    copied += bytesRead;
  }
}
