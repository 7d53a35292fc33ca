import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isMissing } from '../shared/files/fs-error.js';

/** Total size in bytes of the regular files under `dir` (0 when it does not exist). */
export async function storageBytes(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return 0;
    throw error;
  }
  let total = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await storageBytes(path);
    else if (entry.isFile()) total += (await lstat(path)).size;
  }
  return total;
}
