import type { ImageDate } from './image-date.js';
import type { ParsedManifest } from './manifest.js';

/**
 * Content-addressed facts: a digest's content never changes, so what was learnt about it holds
 * for every repository and every later run. The adapter keeps one per process; a persistent
 * implementation (digest cache in the state folder) can replace it without touching the adapter.
 * Failures are never stored, only facts (an undated config is a fact). Implementations must
 * tolerate concurrent calls; the adapter already shares in-flight fetches per digest.
 */
export interface ManifestCache {
  getManifest(digest: string): Promise<ParsedManifest | undefined>;
  putManifest(digest: string, manifest: ParsedManifest): Promise<void>;
  /** By config blob digest. */
  getConfigDate(configDigest: string): Promise<ImageDate | undefined>;
  putConfigDate(configDigest: string, date: ImageDate): Promise<void>;
}
/** Optional binding: without one, HttpDockerRegistry keeps an InMemoryManifestCache per process. */
export const ManifestCache = Symbol('ManifestCache');

export class InMemoryManifestCache implements ManifestCache {
  private readonly manifests = new Map<string, ParsedManifest>();
  private readonly configDates = new Map<string, ImageDate>();

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
}
