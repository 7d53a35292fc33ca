import type { FileHandle } from 'node:fs/promises';

/** Where a piece of text sits in a file that is written piece by piece (bytes). */
export interface FileRange {
  readonly start: number;
  readonly length: number;
}

/**
 * The UTF-8 text of `range`, read whole (a read may return less than asked). A file that ends
 * before the range does was changed by someone else: an error naming it, not a short text.
 */
export async function readRange(
  handle: FileHandle,
  path: string,
  { start, length }: FileRange,
): Promise<string> {
  const bytes = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const { bytesRead } = await handle.read(bytes, read, length - read, start + read);
    if (bytesRead === 0) throw new Error(`${path} changed while it was being read back`);
    read += bytesRead;
  }
  return bytes.toString('utf8');
}
