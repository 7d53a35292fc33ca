import { RegistryError, type RepositoryAccess } from '../../application/ports/registry.port.js';
import type { TagResolution } from '../../domain/tag.js';
import { isDigest, matchesDigest, sha256Digest } from './digest.js';
import type { ImageDate } from './image-date.js';
import type { ManifestCache } from './manifest-cache.js';
import { parseConfigCreated, parseManifest, type ParsedManifest } from './manifest.js';
import { MANIFEST_ACCEPT } from './media-types.js';
import type { RegistryRequest, RegistryResponse } from './registry-http-client.js';
import { blobUrl, manifestUrl } from './registry-urls.js';
import { statusError } from './status-error.js';

export const MANIFEST_HEADERS: Readonly<Record<string, string>> = { Accept: MANIFEST_ACCEPT };

/** Sends an authorized request for a repository. */
export type RepositorySend = (
  request: RegistryRequest,
  repository: string,
  access: RepositoryAccess,
) => Promise<RegistryResponse>;

/** An index inside an index is legal; deeper nesting is not something a registry serves. */
const MAX_INDEX_DEPTH = 2;

/**
 * The digest a registry deletes by: `Docker-Content-Digest` when sent, else the sha256 of the
 * exact body bytes (registry-v2.md, "manifest" row).
 */
export function digestFromResponse(response: RegistryResponse): string {
  const header = response.headers['docker-content-digest']?.trim();
  return header !== undefined && isDigest(header) ? header : sha256Digest(response.body);
}

/**
 * Tag -> digest, kind and creation date: one manifest GET by tag, one GET per platform image of
 * an index, one GET per config blob. Manifests and config dates are cached by digest (content
 * never changes) and concurrent lookups of one digest share one request, so tags sharing an
 * image or a config cost one fetch. Throws RegistryError; the adapter decides what is fatal.
 */
export class ManifestResolver {
  private readonly manifestsInFlight = new Map<string, Promise<ParsedManifest>>();
  private readonly configsInFlight = new Map<string, Promise<ImageDate>>();

  constructor(
    private readonly send: RepositorySend,
    private readonly baseUrl: string,
    private readonly cache: ManifestCache,
  ) {}

  async inspect(repository: string, tag: string, access: RepositoryAccess): Promise<TagResolution> {
    const { digest, response } = await this.fetchByReference(repository, tag, access);
    const manifest =
      (await this.cache.getManifest(digest)) ??
      parseManifest(response.body, response.headers['content-type']);
    await this.cache.putManifest(digest, manifest);
    const date = await this.dateOf(repository, manifest, access, 0);
    const children = platformDigests(manifest);
    return date.ok
      ? { status: 'resolved', digest, kind: manifest.kind, created: date.date, children }
      : { status: 'undated', digest, kind: manifest.kind, problem: date.problem, children };
  }

  /** GET a manifest by tag (or digest) with every manifest type accepted. */
  async fetchByReference(
    repository: string,
    reference: string,
    access: RepositoryAccess,
  ): Promise<{ digest: string; response: RegistryResponse }> {
    const response = await this.send(
      {
        kind: 'manifest-get',
        method: 'GET',
        url: manifestUrl(this.baseUrl, repository, reference),
        headers: MANIFEST_HEADERS,
      },
      repository,
      access,
    );
    if (response.status === 404) {
      throw new RegistryError('not-found', `manifest ${repository}:${reference} not found`, 404);
    }
    if (response.status !== 200) {
      throw statusError(response, `GET manifest ${repository}:${reference}`);
    }
    return { digest: digestFromResponse(response), response };
  }

  private async dateOf(
    repository: string,
    manifest: ParsedManifest,
    access: RepositoryAccess,
    depth: number,
  ): Promise<ImageDate> {
    if (manifest.kind === 'image') {
      return this.configDate(repository, manifest.configDigest, access);
    }
    if (depth >= MAX_INDEX_DEPTH) {
      throw new RegistryError('invalid-response', 'the index nests indexes too deeply');
    }
    if (manifest.children.length === 0) {
      return {
        ok: false,
        problem: 'the index lists no platform image (only attestations or nothing)',
      };
    }
    const dates = await Promise.all(
      manifest.children.map(async (child) => {
        const childManifest = await this.manifestByDigest(repository, child.digest, access);
        return { child, date: await this.dateOf(repository, childManifest, access, depth + 1) };
      }),
    );
    let newest: Date | undefined;
    for (const { child, date } of dates) {
      if (!date.ok) {
        // One platform without a date makes "newest of the platforms" unknowable: keep the tag.
        return {
          ok: false,
          problem: `platform ${child.platform} (${child.digest}): ${date.problem}`,
        };
      }
      if (newest === undefined || date.date > newest) {
        newest = date.date;
      }
    }
    return newest === undefined
      ? { ok: false, problem: 'the index has no dated platform image' }
      : { ok: true, date: newest };
  }

  /** The parsed manifest of a digest: from the cache, or one GET verified against the digest. */
  manifestByDigest(
    repository: string,
    digest: string,
    access: RepositoryAccess,
  ): Promise<ParsedManifest> {
    return this.shared(this.manifestsInFlight, `${repository}@${digest}`, async () => {
      const cached = await this.cache.getManifest(digest);
      if (cached !== undefined) {
        return cached;
      }
      const { response } = await this.fetchByReference(repository, digest, access);
      if (!matchesDigest(response.body, digest)) {
        throw new RegistryError(
          'invalid-response',
          `the manifest served for ${repository}@${digest} does not match its digest`,
        );
      }
      const manifest = parseManifest(response.body, response.headers['content-type']);
      await this.cache.putManifest(digest, manifest);
      return manifest;
    });
  }

  private configDate(
    repository: string,
    configDigest: string,
    access: RepositoryAccess,
  ): Promise<ImageDate> {
    return this.shared(this.configsInFlight, `${repository}@${configDigest}`, async () => {
      const cached = await this.cache.getConfigDate(configDigest);
      if (cached !== undefined) {
        return cached;
      }
      const response = await this.send(
        {
          kind: 'blob',
          method: 'GET',
          url: blobUrl(this.baseUrl, repository, configDigest),
          followRedirects: true,
        },
        repository,
        access,
      );
      if (response.status !== 200) {
        throw statusError(response, `GET config blob ${repository}@${configDigest}`);
      }
      if (!matchesDigest(response.body, configDigest)) {
        throw new RegistryError(
          'invalid-response',
          `the config blob served for ${repository}@${configDigest} does not match its digest`,
        );
      }
      const date = parseConfigCreated(response.body);
      await this.cache.putConfigDate(configDigest, date);
      return date;
    });
  }

  private shared<T>(
    inFlight: Map<string, Promise<T>>,
    key: string,
    load: () => Promise<T>,
  ): Promise<T> {
    const pending = inFlight.get(key);
    if (pending !== undefined) {
      return pending;
    }
    const promise = load().finally(() => inFlight.delete(key));
    inFlight.set(key, promise);
    return promise;
  }
}

/** The platform manifests of an index (empty for an image): what a kept index protects. */
export function platformDigests(manifest: ParsedManifest): string[] {
  return manifest.kind === 'index' ? manifest.children.map((child) => child.digest) : [];
}
