import type { ImageDate } from '../../../domain/image-date.js';
import type { ParsedManifest } from '../manifests/manifest.js';

/**
 * What the registry client remembers between requests, runs and (persistent implementations)
 * processes, for ONE registry:
 * - content facts by digest: a digest's content never changes, so what was learnt about a
 *   manifest or a config blob holds for every repository and every later run;
 * - tag -> digest as last seen: tags are mutable, so this is only a hint that the tag is worth
 *   confirming with one HEAD instead of a GET; the digest a decision uses always comes from the
 *   registry in the current run.
 * Only facts are stored, never failures (an undated config is a fact). Implementations must
 * tolerate concurrent calls and must never throw: a cache that cannot help answers undefined.
 */
export interface ManifestCache {
  getManifest(digest: string): Promise<ParsedManifest | undefined>;
  /** Only for a manifest whose bytes were checked against `digest`. */
  putManifest(digest: string, manifest: ParsedManifest): Promise<void>;
  /** By config blob digest. */
  getConfigDate(configDigest: string): Promise<ImageDate | undefined>;
  putConfigDate(configDigest: string, date: ImageDate): Promise<void>;
  getTagDigest(repository: string, tag: string): Promise<string | undefined>;
  putTagDigest(repository: string, tag: string, digest: string): Promise<void>;
  /** Whether the registry has the OCI tag DELETE (issue 21); undefined until found out. */
  getTagDeleteSupport(): Promise<boolean | undefined>;
  putTagDeleteSupport(supported: boolean): Promise<void>;
  /** Persists what was learnt (a no-op for memory-only caches); never throws. */
  flush(): Promise<void>;
  /**
   * Starts reading what earlier processes stored (persistent caches), so that it is ready when
   * the first tag is inspected instead of being read then; never throws.
   */
  preload?(): Promise<void>;
}
/** Optional binding: without one, HttpDockerRegistry keeps an InMemoryManifestCache per process. */
export const ManifestCache = Symbol('ManifestCache');

/**
 * `team/app` + `1.0`: a tag has no `:` and a repository name has none either. Joined, not
 * concatenated: V8 makes a template string of this length a rope (two cons nodes, then a flat
 * copy once a Map hashes it), 143 bytes a key against 102 (issue 25: 20,000 tags are cached;
 * join is also faster to hash).
 */
export function tagKey(repository: string, tag: string): string {
  return [repository, tag].join(':');
}

/** For one process: a watch-mode process confirms the tags of its earlier runs with HEAD. */
export class InMemoryManifestCache implements ManifestCache {
  private readonly manifests = new Map<string, ParsedManifest>();
  private readonly configDates = new Map<string, ImageDate>();
  private readonly tags = new Map<string, string>();
  private tagDelete: boolean | undefined;

  getTagDeleteSupport(): Promise<boolean | undefined> {
    return Promise.resolve(this.tagDelete);
  }

  putTagDeleteSupport(supported: boolean): Promise<void> {
    this.tagDelete = supported;
    return Promise.resolve();
  }

  getManifest(digest: string): Promise<ParsedManifest | undefined> {
    return Promise.resolve(this.manifests.get(digest));
  }

  putManifest(digest: string, manifest: ParsedManifest): Promise<void> {
    this.manifests.set(digest, manifest);
    return Promise.resolve();
  }

  getConfigDate(configDigest: string): Promise<ImageDate | undefined> {
    return Promise.resolve(this.configDates.get(configDigest));
  }

  putConfigDate(configDigest: string, date: ImageDate): Promise<void> {
    this.configDates.set(configDigest, date);
    return Promise.resolve();
  }

  getTagDigest(repository: string, tag: string): Promise<string | undefined> {
    return Promise.resolve(this.tags.get(tagKey(repository, tag)));
  }

  putTagDigest(repository: string, tag: string, digest: string): Promise<void> {
    this.tags.set(tagKey(repository, tag), digest);
    return Promise.resolve();
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }
}
