import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { StateLockedError } from '../../application/ports/state-store.port.js';
import { fsErrorCode } from '../shared/files/fs-error.js';

export interface StateLock {
  readonly file: string;
  release(): void;
}

/**
 * Takes cache/reg-cleaner.lock with an exclusive create. A lock left by a process that no
 * longer exists (killed with SIGKILL, a crashed container) is taken over.
 */
export async function acquireStateLock(dir: string, pid = process.pid): Promise<StateLock> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'reg-cleaner.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o644);
      await handle.writeFile(`${String(pid)}\n`);
      await handle.close();
      return {
        file,
        release: () => {
          releaseSync(file, pid);
        },
      };
    } catch (error) {
      if (fsErrorCode(error) !== 'EEXIST') throw error;
    }
    const holder = await readHolder(file);
    if (holder !== undefined && holder !== pid && isAlive(holder)) {
      throw new StateLockedError(file, holder);
    }
    // Stale (dead holder, or an unreadable half-written file): remove it and try again.
    await unlink(file).catch(() => undefined);
  }
  throw new Error(`could not take the state lock ${file}`);
}

async function readHolder(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(file, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return fsErrorCode(error) === 'EPERM';
  }
}

/** Synchronous so that it also works from an 'exit' handler. Only our own lock is removed. */
function releaseSync(file: string, pid: number): void {
  try {
    if (readFileSync(file, 'utf8').trim() === String(pid)) unlinkSync(file);
  } catch {
    // Nothing to do: a lock that cannot be removed is taken over as stale by the next run.
  }
}
