import { createHash } from 'node:crypto';
import { isDigest } from '../registry/digest.js';
import type { ImageDate } from '../registry/image-date.js';
import type { IndexChild, ParsedManifest } from '../registry/manifest.js';
import { MediaType } from '../registry/media-types.js';

/**
 * The registry cache file: JSON Lines, one fact per line, so that it is written and read in
 * small pieces whatever its size.
 *
 *   {"format":"reg-cleaner-registry-cache","version":1,"registry":"https://host"}
 *   ["m","sha256:<manifest>","<media type>","sha256:<config>"]          single-platform image
 *   ["i","sha256:<index>","<media type>",[["sha256:<child>","<media type>"|null,"linux/arm64"]]]
 *   ["c","sha256:<config>","2024-05-05T05:05:05.000Z"]                  config with a date
 *   ["u","sha256:<config>","<why it has none>"]                         undated config
 *   ["t","<repository>","<tag>","sha256:<manifest>"]                     tag as last seen
 *   {"sha256":"<hex of every byte above>","lines":N}
 *
 * Each kind is written least recently used first. The trailer's checksum makes a truncated or
 * damaged file unreadable as a whole rather than subtly wrong: a wrong date could delete a tag.
 */
export const CACHE_FORMAT = 'reg-cleaner-registry-cache';
export const CACHE_VERSION = 1;

export interface ManifestEntry {
  /** The digest this entry describes; checked against the key on every read. */
  readonly digest: string;
  readonly manifest: ParsedManifest;
}

export interface ConfigEntry {
  readonly digest: string;
  readonly date: ImageDate;
}

export interface TagEntry {
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
}

export type CacheLine =
  | { readonly kind: 'manifest'; readonly entry: ManifestEntry }
  | { readonly kind: 'config'; readonly entry: ConfigEntry }
  | { readonly kind: 'tag'; readonly entry: TagEntry };

export function headerLine(registry: string): string {
  return JSON.stringify({ format: CACHE_FORMAT, version: CACHE_VERSION, registry });
}

export function trailerLine(sha256: string, lines: number): string {
  return JSON.stringify({ sha256, lines });
}

export function manifestLine({ digest, manifest }: ManifestEntry): string {
  if (manifest.kind === 'image') {
    return JSON.stringify(['m', digest, manifest.mediaType, manifest.configDigest]);
  }
  const children = manifest.children.map((child) => [
    child.digest,
    child.mediaType ?? null,
    child.platform,
  ]);
  return JSON.stringify(['i', digest, manifest.mediaType, children]);
}

export function configLine({ digest, date }: ConfigEntry): string {
  return JSON.stringify(
    date.ok ? ['c', digest, date.date.toISOString()] : ['u', digest, date.problem],
  );
}

export function tagLine({ repository, tag, digest }: TagEntry): string {
  return JSON.stringify(['t', repository, tag, digest]);
}

const KNOWN_MEDIA_TYPES: ReadonlyMap<string, string> = new Map(
  Object.values(MediaType).map((type) => [type, type]),
);

/** The one shared string for a known media type: 100k cached manifests need not hold 100k copies. */
function mediaType(value: unknown): string | undefined {
  return typeof value === 'string' ? (KNOWN_MEDIA_TYPES.get(value) ?? value) : undefined;
}

function digest(value: unknown): string | undefined {
  return typeof value === 'string' && isDigest(value) ? value : undefined;
}

function parseChildren(value: unknown): IndexChild[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const children: IndexChild[] = [];
  for (const item of value as unknown[]) {
    if (!Array.isArray(item) || item.length !== 3) return undefined;
    const [childDigest, childType, platform] = item as unknown[];
    const checked = digest(childDigest);
    if (checked === undefined || typeof platform !== 'string') return undefined;
    if (childType !== null && typeof childType !== 'string') return undefined;
    children.push({ digest: checked, mediaType: mediaType(childType), platform });
  }
  return children;
}

/** One entry line, or undefined when it is not exactly what this version writes. */
export function parseLine(text: string): CacheLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  const [kind, first, second, third] = value as unknown[];
  const length = value.length;
  const key = digest(first);
  switch (kind) {
    case 'm': {
      const config = digest(third);
      const type = mediaType(second);
      if (length !== 4 || key === undefined || config === undefined || type === undefined) break;
      return {
        kind: 'manifest',
        entry: { digest: key, manifest: { kind: 'image', mediaType: type, configDigest: config } },
      };
    }
    case 'i': {
      const children = parseChildren(third);
      const type = mediaType(second);
      if (length !== 4 || key === undefined || children === undefined || type === undefined) break;
      return {
        kind: 'manifest',
        entry: { digest: key, manifest: { kind: 'index', mediaType: type, children } },
      };
    }
    case 'c': {
      const date = typeof second === 'string' ? new Date(second) : undefined;
      if (length !== 3 || key === undefined || date === undefined || Number.isNaN(date.getTime())) {
        break;
      }
      return { kind: 'config', entry: { digest: key, date: { ok: true, date } } };
    }
    case 'u': {
      if (length !== 3 || key === undefined || typeof second !== 'string') break;
      return { kind: 'config', entry: { digest: key, date: { ok: false, problem: second } } };
    }
    case 't': {
      const target = digest(third);
      const valid =
        length === 4 &&
        typeof first === 'string' &&
        typeof second === 'string' &&
        target !== undefined &&
        first !== '' &&
        second !== '';
      if (!valid) break;
      return { kind: 'tag', entry: { repository: first, tag: second, digest: target } };
    }
  }
  return undefined;
}

export type ParsedCacheFile =
  | { readonly ok: true; readonly rejected: number }
  | { readonly ok: false; readonly why: string; readonly corrupt: boolean };

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a whole cache file. `corrupt` says whether the file is damaged (to be moved aside) or
 * merely not for us (another version or registry: ignored, replaced at the next write).
 * Calls `onLine` per entry instead of building one big string or array of lines.
 */
export function parseCacheFile(
  bytes: Buffer,
  registry: string,
  onLine: (line: CacheLine) => void,
): ParsedCacheFile {
  const NEWLINE = 0x0a;
  if (bytes.length === 0 || bytes[bytes.length - 1] !== NEWLINE) {
    return { ok: false, why: 'the file is truncated (no trailer line)', corrupt: true };
  }
  const trailerStart = bytes.lastIndexOf(NEWLINE, bytes.length - 2) + 1;
  const trailer = jsonObject(bytes.toString('utf8', trailerStart, bytes.length - 1));
  const body = bytes.subarray(0, trailerStart);
  if (trailer === undefined || typeof trailer['sha256'] !== 'string') {
    return { ok: false, why: 'the file is truncated (no trailer line)', corrupt: true };
  }
  if (createHash('sha256').update(body).digest('hex') !== trailer['sha256']) {
    return { ok: false, why: 'the checksum does not match the content', corrupt: true };
  }
  const headerEnd = body.indexOf(NEWLINE);
  const header = headerEnd < 0 ? undefined : jsonObject(body.toString('utf8', 0, headerEnd));
  if (header === undefined || header['format'] !== CACHE_FORMAT) {
    return { ok: false, why: 'it is not a reg-cleaner registry cache', corrupt: true };
  }
  if (header['version'] !== CACHE_VERSION) {
    return { ok: false, why: `it was written in format version ${String(header['version'])}`, corrupt: false };
  }
  if (header['registry'] !== registry) {
    return { ok: false, why: `it belongs to registry ${String(header['registry'])}`, corrupt: false };
  }
  let rejected = 0;
  for (let start = headerEnd + 1; start < body.length; ) {
    const end = body.indexOf(NEWLINE, start);
    const line = parseLine(body.toString('utf8', start, end));
    if (line === undefined) rejected += 1;
    else onLine(line);
    start = end + 1;
  }
  return { ok: true, rejected };
}
