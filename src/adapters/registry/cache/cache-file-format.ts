import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { isDigest } from '../../shared/digest.js';
import type { BlobSize } from '../../../domain/tag.js';
import type { IndexChild, ParsedManifest } from '../manifests/manifest.js';
import { MediaType } from '../manifests/media-types.js';

/**
 * The registry cache file: JSON Lines, one fact per line, so that it is written and read in
 * small pieces whatever its size.
 *
 *   {"format":"reg-cleaner-registry-cache","version":2,"registry":"https://host"}
 *   ["c","sha256:<config>","2024-05-05T05:05:05.000Z"]                  config with a date
 *   ["u","sha256:<config>","<why it has none>"]                         undated config
 *   ["m","sha256:<manifest>","<media type>",<bytes>,"sha256:<config>",<config bytes>,
 *     [["sha256:<layer>",<bytes>],...]]                                  single-platform image
 *   ["i","sha256:<index>","<media type>",<bytes>,
 *     [["sha256:<child>","<media type>"|null,"linux/arm64"],...]]        index / manifest list
 *   ["t","<repository>","<tag>","sha256:<manifest>"]                     tag as last seen
 *   ["d",true|false]                  whether the registry has the OCI tag DELETE (issue 21)
 *   {"sha256":"<hex of every byte above>","lines":N}
 *
 * (each entry on one line). Version 2 added the sizes (reports' reclaimable space): a file of
 * another version is ignored and rebuilt by the next write, so a warm run never lacks sizes.
 *
 * Each kind is written least recently used first; facts before the tags that point at them.
 * The trailer's checksum makes a truncated or damaged file unreadable as a whole rather than
 * subtly wrong: a wrong date could delete a tag.
 */
export const CACHE_FORMAT = 'reg-cleaner-registry-cache';
export const CACHE_VERSION = 2;

type ImageFacts = Extract<ParsedManifest, { readonly kind: 'image' }>;
type IndexFacts = Extract<ParsedManifest, { readonly kind: 'index' }>;

/**
 * An image's layers as `[digest, size, digest, size, ...]`: one array where an array and an
 * object per layer took 64 bytes more for a two-layer image, and a warm run holds every cached
 * manifest for its whole length (issue 25). Unpacked by parsedManifestOf() when asked for.
 */
export type PackedBlobs = readonly (string | number)[];

/** A manifest's facts together with the digest they were written for. */
export type CachedManifest =
  | (Omit<ImageFacts, 'layers'> & { readonly digest: string; readonly layers: PackedBlobs })
  | (IndexFacts & { readonly digest: string });

/** The entry of `manifest` for `digest`, its digests shared through `intern`. */
export function cachedManifestOf(
  digest: string,
  manifest: ParsedManifest,
  intern: Intern,
): CachedManifest {
  if (manifest.kind === 'index') {
    return {
      digest,
      kind: 'index',
      mediaType: manifest.mediaType,
      bytes: manifest.bytes,
      children: manifest.children.map((child) => ({ ...child, digest: intern(child.digest) })),
    };
  }
  const layers = exactArray<string | number>(manifest.layers.length * 2);
  for (const [index, layer] of manifest.layers.entries()) {
    layers[2 * index] = intern(layer.digest);
    layers[2 * index + 1] = layer.size;
  }
  return {
    digest,
    kind: 'image',
    mediaType: manifest.mediaType,
    bytes: manifest.bytes,
    configDigest: intern(manifest.configDigest),
    configSize: manifest.configSize,
    layers,
  };
}

/** What the registry client is given: the facts, layers unpacked. */
export function parsedManifestOf(entry: CachedManifest): ParsedManifest {
  if (entry.kind === 'index') return entry;
  const { kind, mediaType, bytes, configDigest, configSize } = entry;
  return { kind, mediaType, bytes, configDigest, configSize, layers: unpackBlobs(entry.layers) };
}

/** `[[digest, size], ...]`, as the file holds an image's layers. */
function layerPairs(packed: PackedBlobs): (string | number)[][] {
  const pairs = exactArray<(string | number)[]>(packed.length / 2);
  for (let index = 0; index < pairs.length; index += 1) {
    pairs[index] = packed.slice(2 * index, 2 * index + 2);
  }
  return pairs;
}

function unpackBlobs(packed: PackedBlobs): BlobSize[] {
  const blobs = exactArray<BlobSize>(packed.length / 2);
  for (let index = 0; index < blobs.length; index += 1) {
    blobs[index] = { digest: String(packed[2 * index]), size: Number(packed[2 * index + 1]) };
  }
  return blobs;
}

/** A config's date (epoch milliseconds) or why it has none, with the digest it describes. */
export type CachedConfig =
  | { readonly digest: string; readonly at: number }
  | { readonly digest: string; readonly problem: string };

export type CacheLine =
  | { readonly kind: 'manifest'; readonly entry: CachedManifest }
  | { readonly kind: 'config'; readonly entry: CachedConfig }
  | {
      readonly kind: 'tag';
      readonly repository: string;
      readonly tag: string;
      readonly digest: string;
    }
  | { readonly kind: 'tag-delete'; readonly supported: boolean };

export function tagDeleteLine(supported: boolean): string {
  return JSON.stringify(['d', supported]);
}

export function headerLine(registry: string): string {
  return JSON.stringify({ format: CACHE_FORMAT, version: CACHE_VERSION, registry });
}

export function trailerLine(sha256: string, lines: number): string {
  return JSON.stringify({ sha256, lines });
}

export function manifestLine(entry: CachedManifest): string {
  if (entry.kind === 'image') {
    const layers = layerPairs(entry.layers);
    return JSON.stringify([
      'm',
      entry.digest,
      entry.mediaType,
      entry.bytes,
      entry.configDigest,
      entry.configSize,
      layers,
    ]);
  }
  const children = entry.children.map((child) => [
    child.digest,
    child.mediaType ?? null,
    child.platform,
  ]);
  return JSON.stringify(['i', entry.digest, entry.mediaType, entry.bytes, children]);
}

export function configLine(entry: CachedConfig): string {
  return JSON.stringify(
    'at' in entry
      ? ['c', entry.digest, new Date(entry.at).toISOString()]
      : ['u', entry.digest, entry.problem],
  );
}

export function tagLine(repository: string, tag: string, digest: string): string {
  return JSON.stringify(['t', repository, tag, digest]);
}

const KNOWN_MEDIA_TYPES: ReadonlyMap<string, string> = new Map(
  Object.values(MediaType).map((type) => [type, type]),
);

/** The one shared string for a known media type: 100k cached manifests need not hold 100k copies. */
function mediaType(value: unknown): string | undefined {
  return typeof value === 'string' ? (KNOWN_MEDIA_TYPES.get(value) ?? value) : undefined;
}

/** Returns an equal string already held (a map key), so that repeated digests are stored once. */
export type Intern = (digest: string) => string;
const noIntern: Intern = (digest) => digest;

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function parseLayers(value: unknown, intern: Intern): PackedBlobs | undefined {
  if (!Array.isArray(value)) return undefined;
  const items = value as unknown[];
  const layers = exactArray<string | number>(items.length * 2);
  for (const [index, item] of items.entries()) {
    if (!Array.isArray(item) || item.length !== 2) return undefined;
    const [digest, size] = item as unknown[];
    if (typeof digest !== 'string' || !isDigest(digest) || !isSize(size)) return undefined;
    layers[2 * index] = intern(digest);
    layers[2 * index + 1] = size;
  }
  return layers;
}

function parseChildren(value: unknown, intern: Intern): IndexChild[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const items = value as unknown[];
  const children = exactArray<IndexChild>(items.length);
  for (const [index, item] of items.entries()) {
    if (!Array.isArray(item) || item.length !== 3) return undefined;
    const [childDigest, childType, platform] = item as unknown[];
    if (typeof childDigest !== 'string' || !isDigest(childDigest)) return undefined;
    if (typeof platform !== 'string') return undefined;
    if (childType !== null && typeof childType !== 'string') return undefined;
    children[index] = { digest: intern(childDigest), mediaType: mediaType(childType), platform };
  }
  return children;
}

/**
 * An array with room for exactly `length` items, filled by index. One filled by push() keeps
 * room for 17 after its first item: about 100 bytes lost in each of a warm run's cached
 * manifests (2 MB at 20,000 tags, issue 25), which live for the whole run.
 */
function exactArray<T>(length: number): T[] {
  return new Array<T>(length);
}

/** One entry line, or undefined when it is not exactly what this version writes. */
export function parseLine(text: string, intern: Intern = noIntern): CacheLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  const [kind, first, second, third, fourth, fifth, sixth] = value as unknown[];
  const length = value.length;
  const key = typeof first === 'string' && isDigest(first) ? first : undefined;
  switch (kind) {
    case 'c': {
      const at = typeof second === 'string' ? Date.parse(second) : Number.NaN;
      if (length !== 3 || key === undefined || Number.isNaN(at)) break;
      return { kind: 'config', entry: { digest: key, at } };
    }
    case 'u': {
      if (length !== 3 || key === undefined || typeof second !== 'string') break;
      return { kind: 'config', entry: { digest: key, problem: second } };
    }
    case 'm': {
      const type = mediaType(second);
      const config = typeof fourth === 'string' && isDigest(fourth) ? intern(fourth) : undefined;
      const layers = parseLayers(sixth, intern);
      const sized = isSize(third) && isSize(fifth);
      if (length !== 7 || key === undefined || config === undefined || type === undefined) break;
      if (!sized || layers === undefined) break;
      return {
        kind: 'manifest',
        entry: {
          digest: key,
          kind: 'image',
          mediaType: type,
          bytes: third,
          configDigest: config,
          configSize: fifth,
          layers,
        },
      };
    }
    case 'i': {
      const type = mediaType(second);
      const children = parseChildren(fourth, intern);
      if (length !== 5 || key === undefined || children === undefined || type === undefined) break;
      if (!isSize(third)) break;
      return {
        kind: 'manifest',
        entry: { digest: key, kind: 'index', mediaType: type, bytes: third, children },
      };
    }
    case 'd': {
      if (length !== 2 || typeof first !== 'boolean') break;
      return { kind: 'tag-delete', supported: first };
    }
    case 't': {
      const valid =
        length === 4 &&
        typeof first === 'string' &&
        typeof second === 'string' &&
        typeof third === 'string' &&
        first !== '' &&
        second !== '' &&
        isDigest(third);
      if (!valid) break;
      return { kind: 'tag', repository: first, tag: second, digest: intern(third) };
    }
  }
  return undefined;
}

export type ParsedCacheFile =
  | { readonly ok: true; readonly rejected: number }
  | { readonly ok: false; readonly why: string; readonly corrupt: boolean };

function jsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const NEWLINE = 0x0a;
/**
 * The file is read, and its lines parsed, 64 KB at a time (about 370 entries, 2-4 ms of CPU): the
 * answers that arrive meanwhile (the first requests are on the wire while the cache is read)
 * are handled between two chunks instead of after the whole file, a 50 ms burst at 2,000 tags
 * that held a warm run's first answers (issue 25).
 */
export const READ_CHUNK_BYTES = 64 * 1024;

/**
 * Reads a cache file as a stream of lines (a 40 MB file never sits in memory whole), checking
 * the header first and the checksum at the end. `onLine` sees each entry as it is read: when
 * the result is not ok, the caller must forget them all. `corrupt` tells a damaged file (to be
 * moved aside) from one that is merely not ours (another version or registry: replaced at the
 * next write). Throws what the file system throws (ENOENT...).
 */
export async function readCacheFile(
  path: string,
  registry: string,
  onLine: (line: CacheLine) => void,
  intern: Intern = noIntern,
): Promise<ParsedCacheFile> {
  const hash = createHash('sha256');
  let carry: Buffer | undefined;
  // The last complete line is held back: it is hashed only once a later line proves that it
  // is not the trailer.
  let held: Buffer | undefined;
  let lines = 0;
  let rejected = 0;
  let refusal: ParsedCacheFile | undefined;
  const take = (line: Buffer): void => {
    if (held !== undefined) {
      hash.update(held);
      lines += 1;
      const content = held.subarray(0, held.length - 1);
      if (lines === 1) {
        refusal = checkHeader(jsonObject(content), registry);
      } else {
        const parsed = parseLine(content.toString('utf8'), intern);
        if (parsed === undefined) rejected += 1;
        else onLine(parsed);
      }
    }
    held = line;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK_BYTES })) {
    const bytes = chunk as Buffer;
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE); end >= 0; end = bytes.indexOf(NEWLINE, start)) {
      const piece = bytes.subarray(start, end + 1);
      take(carry === undefined ? piece : Buffer.concat([carry, piece]));
      carry = undefined;
      start = end + 1;
      if (refusal !== undefined) return refusal;
    }
    if (start < bytes.length) {
      const rest = bytes.subarray(start);
      carry = carry === undefined ? Buffer.from(rest) : Buffer.concat([carry, rest]);
    }
  }
  const trailer = held === undefined ? undefined : jsonObject(held.subarray(0, held.length - 1));
  if (carry !== undefined || lines === 0 || typeof trailer?.['sha256'] !== 'string') {
    return { ok: false, why: 'the file is truncated (no trailer line)', corrupt: true };
  }
  if (hash.digest('hex') !== trailer['sha256']) {
    return { ok: false, why: 'the checksum does not match the content', corrupt: true };
  }
  return { ok: true, rejected };
}

function checkHeader(
  header: Record<string, unknown> | undefined,
  registry: string,
): ParsedCacheFile | undefined {
  if (header === undefined || header['format'] !== CACHE_FORMAT) {
    return { ok: false, why: 'it is not a reg-cleaner registry cache', corrupt: true };
  }
  if (header['version'] !== CACHE_VERSION) {
    return {
      ok: false,
      why: `it was written in format version ${String(header['version'])}`,
      corrupt: false,
    };
  }
  if (header['registry'] !== registry) {
    return {
      ok: false,
      why: `it belongs to registry ${String(header['registry'])}`,
      corrupt: false,
    };
  }
  return undefined;
}
