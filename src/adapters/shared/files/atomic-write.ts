import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';

/**
 * Appends text (UTF-8) or bytes to the file being written. Bytes are written before the promise
 * settles, so a caller may fill the same buffer again afterwards (a copy in chunks).
 */
export type WriteText = (chunk: string | Uint8Array) => Promise<void>;

export interface AtomicWriteOptions {
  /** Permissions of the new file (default 0o600: the state folder is private). */
  readonly mode?: number;
  /** The temp file's path, beside `path` (default `<path>.<pid>.<random>.tmp`). */
  readonly tempName?: string;
}

/**
 * The one atomic writer of the state folder (issue 14): readers, and a process killed half-way,
 * see either the old or the new content, never a mix. A temp file beside the target is filled,
 * fsynced, then renamed over it; on any failure the temp file is removed and the target is
 * left as it was. `fill` may write in several pieces (the registry cache streams its lines).
 */
export async function writeAtomically(
  path: string,
  fill: (write: WriteText) => Promise<void>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temp =
    options.tempName ?? `${path}.${String(process.pid)}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w', options.mode ?? 0o600);
  try {
    // writeFile, not write: it loops until every byte is written, at the current position.
    await fill((chunk) => handle.writeFile(chunk, 'utf8'));
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** writeAtomically with the whole content at once. */
export function writeFileAtomically(path: string, content: string): Promise<void> {
  return writeAtomically(path, (write) => write(content));
}
