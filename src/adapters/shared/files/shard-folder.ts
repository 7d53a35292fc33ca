import { join } from 'node:path';
import type { Shard } from '../../../domain/shard.js';

/**
 * Each shard keeps its own lock, state, journal, logs and reports (issue 24) in a sub-folder of
 * each folder: `shard-1-of-3/`. The count is in the name, so that runs split another way
 * never read or lock each other's state.
 */
export function shardFolderName(shard: Shard): string {
  return `shard-${String(shard.index)}-of-${String(shard.count)}`;
}

/** `dir` itself without a shard, else its shard's sub-folder. */
export function shardDir(dir: string, shard: Shard | undefined): string {
  return shard === undefined ? dir : join(dir, shardFolderName(shard));
}

const SHARD_FOLDER = /^shard-(0|[1-9]\d*)-of-([1-9]\d*)$/;

/** The shard a folder name belongs to; undefined for any other name. */
export function parseShardFolderName(name: string): Shard | undefined {
  const match = SHARD_FOLDER.exec(name);
  if (match === null) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  return index < count ? { index, count } : undefined;
}
