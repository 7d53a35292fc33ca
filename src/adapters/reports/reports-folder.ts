import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { RUN_FILE } from './report-files.js';

/**
 * Makes sure reports can be written to `dir` (created if missing) by writing a file there,
 * so that a read-only or misplaced folder is a usage error before any request. Throws the file
 * system's error (EACCES, EROFS, ENOTDIR, EEXIST...).
 */
export async function prepareReportsFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const probe = join(dir, `.write-check-${String(process.pid)}-${randomBytes(4).toString('hex')}`);
  const handle = await open(probe, 'wx');
  await handle.close();
  await unlink(probe);
}

/** A file's content put in place at `target` at once: readers see the old or the new file. */
export async function replaceWithCopy(source: string, target: string): Promise<void> {
  const temp = tempNameFor(target);
  try {
    await copyFile(source, temp);
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** A hidden name beside `target`, unique to this process and call. */
export function tempNameFor(target: string): string {
  const name = target.slice(dirname(target).length + 1);
  return join(
    dirname(target),
    `.${name}.${String(process.pid)}.${randomBytes(4).toString('hex')}.tmp`,
  );
}

/**
 * Keeps the newest `keepLast` runs of a job folder (a run is every file of one stamp and kind)
 * and removes the files of older runs. `latest.*` and files it did not write are left alone.
 * Returns the removed file names.
 */
export async function pruneRuns(folder: string, keepLast: number): Promise<string[]> {
  const names = await readdir(folder);
  const runs = new Map<string, string[]>();
  for (const name of names) {
    const run = RUN_FILE.exec(name)?.[1];
    if (run === undefined) continue;
    const files = runs.get(run) ?? [];
    files.push(name);
    runs.set(run, files);
  }
  // Stamps sort like time; at the same second the real run counts as the newer.
  const newestFirst = [...runs.keys()].sort().reverse();
  const removed: string[] = [];
  for (const run of newestFirst.slice(keepLast)) {
    for (const name of runs.get(run) ?? []) {
      await unlink(join(folder, name)).catch(() => undefined);
      removed.push(name);
    }
  }
  return removed;
}
