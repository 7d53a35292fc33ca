import { createHash } from 'node:crypto';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { inject, injectable } from 'inversify';
import { Logger } from '../../../application/ports/logger.port.js';
import { isDigest } from '../../shared/digest.js';
import type { ImageDate } from '../../../domain/image-date.js';
import { tagKey, type ManifestCache } from './manifest-cache.js';
import type { ParsedManifest } from '../manifests/manifest.js';
import { RegistrySettings } from '../registry-settings.js';
import { normaliseBaseUrl } from '../registry-settings.js';
import { StateDir } from '../../shared/files/state-dir.js';
import {
  configLine,
  cachedManifestOf,
  headerLine,
  manifestLine,
  parsedManifestOf,
  readCacheFile,
  tagDeleteLine,
  tagLine,
  trailerLine,
  type CachedConfig,
  type CachedManifest,
  type CacheLine,
} from './cache-file-format.js';
import { LruMap } from './lru-map.js';
import { messageOf } from '../../../application/error-message.js';
import { writeAtomically } from '../../shared/files/atomic-write.js';
import { isMissing } from '../../shared/files/fs-error.js';

/** Entries kept per kind; beyond that the least recently used go first. */
export interface CacheLimits {
  readonly tags: number;
  readonly manifests: number;
  readonly configs: number;
}

/**
 * 100,000 of each: the benchmark's large profile (100 x 1,000 tags, 88,000 distinct manifests)
 * fits, about 30 MB on disk and some 60 MB of heap when full (12 MB at 20,000 tags, measured
 * in a heap snapshot: about 0.6 KB per tag).
 * A bigger bound would not pay for itself: a run visits every tag in the same order, so once a
 * registry holds more distinct digests than the bound, LRU evicts each entry before the next
 * run asks for it and the warm run hits nothing; the memory would be spent for no request
 * saved. At this bound, peak memory stops growing with the registry's size (issue 9).
 */
export const DEFAULT_CACHE_LIMITS: CacheLimits = {
  tags: 100_000,
  manifests: 100_000,
  configs: 100_000,
};

/** Test hooks; the composition root binds none ({}: the defaults). */
export interface FileManifestCacheOptions {
  readonly limits?: Partial<CacheLimits>;
  /** Unsaved facts are written at least this often while the process runs (watch mode). */
  readonly flushIntervalMs?: number;
}
export const FileManifestCacheOptions = Symbol('FileManifestCacheOptions');

const DEFAULT_FLUSH_INTERVAL_MS = 5 * 60_000;
/**
 * Below this share of every bound, recency is not kept: reads do not reorder the entries
 * (lru-map.ts), and a run that learnt nothing new does not rewrite the file just to record
 * which entries it used. Recency decides only what goes first once a bound is reached, and none
 * is near. A warm run then writes nothing (rewriting the whole file was 50-90 ms of its end,
 * issue 25). Closer to a bound the order is kept up to date again.
 */
const RECENCY_WRITE_SHARE = 0.75;
/**
 * The file is written this much at a time: a 20,000-tag cache is 10 MB, and 1 MB pieces (a
 * string, then its bytes) were a few MB at the peak of a cold run's end (issue 25).
 */
const WRITE_CHUNK_CHARS = 64 * 1024;

/** `registry-cache-<host>-<hash of the URL>.jsonl`: one file per registry URL. */
export function cacheFileName(registryUrl: string): string {
  const host = new URL(registryUrl).host.replace(/[^A-Za-z0-9.-]/g, '_');
  const hash = createHash('sha256').update(registryUrl).digest('hex').slice(0, 12);
  return `registry-cache-${host}-${hash}.jsonl`;
}

/**
 * The registry cache in the state folder (cache-file-format.ts): read on first use, written
 * atomically (temp file, fsync, rename) by flush() at the end of a run and every few minutes
 * while there is something new. Keyed by registry URL, bounded per kind (LRU).
 * Whatever goes wrong with the file, the run goes on without it: an unreadable file is
 * moved aside with a warning, an entry that is not exactly right is ignored, a failed write
 * is a warning. Entries carry the digest they describe and are checked against it on read.
 */
@injectable()
export class FileManifestCache implements ManifestCache {
  private readonly registry: string;
  private readonly file: string;
  private readonly manifests: LruMap<string, CachedManifest>;
  private readonly configs: LruMap<string, CachedConfig>;
  /** `repository:tag` -> digest (the same string as the manifest's key when cached). */
  private readonly tags: LruMap<string, string>;
  /** Digests of layers (and of facts not loaded yet), for intern(). */
  private readonly digestPool: LruMap<string, string>;
  private readonly flushIntervalMs: number;
  /** Whether the registry has the OCI tag DELETE, once found out (issue 21). */
  private tagDelete: boolean | undefined;
  private loading: Promise<void> | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Something was used since the last write (recency changed). */
  private dirty = false;
  /** An entry was added, replaced or dropped since the last write. */
  private changed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @inject(StateDir) private readonly dir: string,
    @inject(RegistrySettings) settings: RegistrySettings,
    @inject(Logger) private readonly logger: Logger,
    @inject(FileManifestCacheOptions) options: FileManifestCacheOptions = {},
  ) {
    this.registry = normaliseBaseUrl(settings.url);
    this.file = join(dir, cacheFileName(this.registry));
    const limits = { ...DEFAULT_CACHE_LIMITS, ...options.limits };
    // Below RECENCY_WRITE_SHARE of a bound, reads do not reorder (lru-map.ts): the order is
    // not written then either (writeIfDirty).
    const ordered = <K, V>(limit: number): LruMap<K, V> =>
      new LruMap<K, V>(limit, limit * RECENCY_WRITE_SHARE);
    this.manifests = ordered(limits.manifests);
    this.configs = ordered(limits.configs);
    this.tags = ordered(limits.tags);
    this.digestPool = ordered(limits.manifests);
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  }

  /** The file this cache reads and writes. */
  get path(): string {
    return this.file;
  }

  async getManifest(digest: string): Promise<ParsedManifest | undefined> {
    await this.ready();
    const entry = this.checked(this.manifests, digest);
    return entry === undefined ? undefined : parsedManifestOf(entry);
  }

  async putManifest(digest: string, manifest: ParsedManifest): Promise<void> {
    await this.ready();
    if (!isDigest(digest)) return;
    const entry = cachedManifestOf(digest, manifest, (held) => this.intern(held));
    this.manifests.set(digest, entry);
    this.dirty = this.changed = true;
  }

  async getConfigDate(configDigest: string): Promise<ImageDate | undefined> {
    await this.ready();
    const entry = this.checked(this.configs, configDigest);
    if (entry === undefined) return undefined;
    return 'at' in entry
      ? { ok: true, date: new Date(entry.at) }
      : { ok: false, problem: entry.problem };
  }

  async putConfigDate(configDigest: string, date: ImageDate): Promise<void> {
    await this.ready();
    if (!isDigest(configDigest)) return;
    const digest = this.intern(configDigest);
    this.configs.set(
      digest,
      date.ok ? { digest, at: date.date.getTime() } : { digest, problem: date.problem },
    );
    this.dirty = this.changed = true;
  }

  async getTagDigest(repository: string, tag: string): Promise<string | undefined> {
    await this.ready();
    const digest = this.tags.get(tagKey(repository, tag));
    if (digest !== undefined) this.dirty = true; // recency changed
    return digest;
  }

  async putTagDigest(repository: string, tag: string, digest: string): Promise<void> {
    await this.ready();
    if (!isDigest(digest)) return;
    this.tags.set(tagKey(repository, tag), this.intern(digest));
    this.dirty = this.changed = true;
  }

  /**
   * Reads the file now (it is read on first use otherwise): called while the run's first
   * requests (probe, catalog, tag lists) are on the wire, so a warm run does not stop sending to
   * parse it when its first tag is inspected (issue 25).
   */
  preload(): Promise<void> {
    return this.ready();
  }

  async getTagDeleteSupport(): Promise<boolean | undefined> {
    await this.ready();
    return this.tagDelete;
  }

  async putTagDeleteSupport(supported: boolean): Promise<void> {
    await this.ready();
    this.tagDelete = supported;
    this.dirty = true;
  }

  /** Writes what changed since the last write; never throws (a failure is a warning). */
  flush(): Promise<void> {
    const next = this.writing.then(() => this.writeIfDirty());
    this.writing = next;
    return next;
  }

  /** Stops the periodic flush (tests; the timer never keeps a process alive anyway). */
  dispose(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** An entry only if it describes exactly the digest asked for. */
  private checked<T extends { readonly digest: string }>(
    map: LruMap<string, T>,
    digest: string,
  ): T | undefined {
    const entry = map.get(digest);
    if (entry === undefined) return undefined;
    if (entry.digest !== digest) {
      map.delete(digest);
      this.dirty = this.changed = true;
      return undefined;
    }
    this.dirty = true; // recency changed
    return entry;
  }

  private ready(): Promise<void> {
    if (this.loading === undefined) {
      this.loading = this.load().catch((error: unknown) => {
        this.forget();
        this.logger.warn('registry cache could not be read; running without it', {
          file: this.file,
          error: messageOf(error),
        });
      });
      this.timer = setInterval(() => {
        void this.flush();
      }, this.flushIntervalMs);
      this.timer.unref();
    }
    return this.loading;
  }

  private async load(): Promise<void> {
    let result;
    try {
      result = await readCacheFile(
        this.file,
        this.registry,
        (line) => {
          this.add(line);
        },
        (digest) => this.intern(digest),
      );
    } catch (error) {
      this.forget();
      if (!isMissing(error)) {
        this.logger.warn('registry cache could not be read; running without it', {
          file: this.file,
          error: messageOf(error),
        });
      }
      return;
    }
    if (!result.ok) {
      this.forget();
      if (result.corrupt) await this.moveAside(result.why);
      else
        this.logger.info('registry cache ignored; it will be rebuilt', {
          file: this.file,
          reason: result.why,
        });
      return;
    }
    if (result.rejected > 0) {
      this.logger.warn('registry cache: entries that are not exactly right were ignored', {
        file: this.file,
        ignored: result.rejected,
      });
    }
  }

  /**
   * The string already held for this digest (a map key), if any: each digest stored once.
   * Layers are shared by many images and are keys of no map, so they get a bounded pool of
   * their own (a digest it has forgotten is merely held twice).
   */
  private intern(digest: string): string {
    const held = this.configs.peek(digest)?.digest ?? this.manifests.peek(digest)?.digest;
    if (held !== undefined) return held;
    const pooled = this.digestPool.get(digest);
    if (pooled !== undefined) return pooled;
    this.digestPool.set(digest, digest);
    return digest;
  }

  private add(line: CacheLine): void {
    switch (line.kind) {
      case 'manifest':
        this.manifests.set(line.entry.digest, line.entry);
        return;
      case 'config':
        this.configs.set(line.entry.digest, line.entry);
        return;
      case 'tag':
        this.tags.set(tagKey(line.repository, line.tag), line.digest);
        return;
      case 'tag-delete':
        this.tagDelete = line.supported;
        return;
    }
  }

  private forget(): void {
    this.digestPool.clear();
    this.manifests.clear();
    this.configs.clear();
    this.tags.clear();
    this.tagDelete = undefined;
  }

  private async moveAside(why: string): Promise<void> {
    const aside = `${this.file}.corrupt`;
    try {
      await rename(this.file, aside);
    } catch {
      // It may be gone already; the next write replaces it anyway.
    }
    this.logger.warn('registry cache was unreadable; moved aside, rebuilding it', {
      file: this.file,
      movedTo: aside,
      reason: why,
    });
  }

  private async writeIfDirty(): Promise<void> {
    if (!this.dirty || this.loading === undefined) return;
    await this.loading;
    if (!this.changed && !this.nearBound()) return;
    this.dirty = this.changed = false;
    try {
      await this.write();
    } catch (error) {
      this.dirty = this.changed = true;
      this.logger.warn('registry cache could not be written; the next run starts colder', {
        file: this.file,
        error: messageOf(error),
      });
    }
  }

  /** Whether some kind holds more than RECENCY_WRITE_SHARE of its bound. */
  private nearBound(): boolean {
    return [this.manifests, this.configs, this.tags].some(
      (map) => map.size > map.limit * RECENCY_WRITE_SHARE,
    );
  }

  private *lines(): Generator<string> {
    yield headerLine(this.registry);
    if (this.tagDelete !== undefined) yield tagDeleteLine(this.tagDelete);
    // Facts before what points at them, so that reading back can share digest strings.
    for (const entry of this.configs.values()) yield configLine(entry);
    for (const entry of this.manifests.values()) yield manifestLine(entry);
    for (const [key, digest] of this.tags.entries()) {
      const colon = key.lastIndexOf(':');
      yield tagLine(key.slice(0, colon), key.slice(colon + 1), digest);
    }
  }

  private async write(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeAtomically(this.file, async (write) => {
      const hash = createHash('sha256');
      let chunk = '';
      let count = 0;
      for (const line of this.lines()) {
        chunk += `${line}\n`;
        count += 1;
        if (chunk.length >= WRITE_CHUNK_CHARS) {
          hash.update(chunk);
          await write(chunk);
          chunk = '';
        }
      }
      hash.update(chunk);
      await write(`${chunk}${trailerLine(hash.digest('hex'), count)}\n`);
    });
  }
}
