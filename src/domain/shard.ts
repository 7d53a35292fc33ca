/**
 * Shards (behaviour.md section 8, issue 24): `--shard I/N` runs the jobs on the repositories
 * whose name hashes to I modulo N, so that N processes (the pods of an Indexed Job) together
 * do what one process does, each repository in exactly one shard.
 *
 * The hash is 32-bit FNV-1a over the UTF-8 bytes of the repository name, as the registry
 * spells it (`team/app`, no host): offset basis 2166136261, prime 16777619, arithmetic modulo
 * 2^32. It is documented in the README so that operators can predict where a repository goes;
 * changing it would move repositories between shards, so it never changes.
 */
export interface Shard {
  /** 0 <= index < count. */
  readonly index: number;
  readonly count: number;
}

/** More shards than this cannot help: every shard reads the whole catalog. */
export const MAX_SHARDS = 1000;

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a of the UTF-8 bytes of `text`, as an unsigned integer. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    // Math.imul multiplies modulo 2^32, as the 32-bit FNV prescribes.
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/** The shard index of a repository among `count` shards. */
export function shardOf(repository: string, count: number): number {
  return fnv1a32(repository) % count;
}

export function inShard(repository: string, shard: Shard): boolean {
  return shardOf(repository, shard.count) === shard.index;
}

/** `1/3`: as the operator writes it. */
export function shardLabel(shard: Shard): string {
  return `${String(shard.index)}/${String(shard.count)}`;
}

/**
 * Reads `I/N`; a message saying what is wrong when it is not a shard. Only plain decimal
 * numbers: `01/3`, `+1/3`, ` 1/3` are refused, so that one shard has one spelling.
 */
export function parseShard(text: string): Shard | { readonly problem: string } {
  const match = /^(0|[1-9]\d{0,5})\/(0|[1-9]\d{0,5})$/.exec(text);
  if (match === null) {
    return {
      problem: `"${text}" is not I/N: two whole numbers, shard I of N shards numbered 0 to N-1 (e.g. 0/3)`,
    };
  }
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) return { problem: `"${text}": N, the number of shards, must be at least 1` };
  if (count > MAX_SHARDS) {
    return {
      problem: `"${text}": at most ${String(MAX_SHARDS)} shards (each one reads the whole catalog)`,
    };
  }
  if (index >= count) {
    return {
      problem: `"${text}": I must be less than N (the ${String(count)} shards are numbered 0 to ${String(count - 1)})`,
    };
  }
  return { index, count };
}
