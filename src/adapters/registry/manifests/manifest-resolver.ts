import { inject, injectable } from 'inversify';
import { RegistryError, type RepositoryAccess } from '../../../application/ports/registry.port.js';
import type { ManifestFootprint, TagPointer, TagResolution } from '../../../domain/tag.js';
import { isDigest, matchesDigest, sha256Digest } from '../../shared/digest.js';
import { indexDate, type ImageDate } from '../../../domain/image-date.js';
import { ManifestCache } from '../cache/manifest-cache.js';
import { RegistryBaseUrl } from '../registry-settings.js';
import {
  parseConfigCreated,
  parseManifest,
  type IndexChild,
  type ParsedManifest,
} from './manifest.js';
import { baseMediaType, MANIFEST_ACCEPT } from './media-types.js';
import type { RegistryRequest, RegistryResponse } from '../transport/registry-http-client.js';
import { blobUrl, manifestUrl } from '../registry-urls.js';
import { statusError } from '../transport/status-error.js';

export const MANIFEST_HEADERS: Readonly<Record<string, string>> = { Accept: MANIFEST_ACCEPT };

/** Sends an authorized request for a repository. */
export type RepositorySend = (
  request: RegistryRequest,
  repository: string,
  access: RepositoryAccess,
) => Promise<RegistryResponse>;
export const RepositorySend = Symbol('RepositorySend');

/** An index inside an index is legal; deeper nesting is not something a registry serves. */
const MAX_INDEX_DEPTH = 2;

/**
 * The digest a registry deletes by: `Docker-Content-Digest` when sent, else the sha256 of the
 * exact body bytes (registry-v2.md, "manifest" row). A header the body does not hash to is
 * refused: trusting it would plan deletions with a digest the tag may not have (a kept tag
 * sharing the real digest would then go with it).
 */
export function digestFromResponse(response: RegistryResponse): string {
  const header = response.headers['docker-content-digest']?.trim();
  if (header === undefined || !isDigest(header)) return sha256Digest(response.body);
  if (!matchesDigest(response.body, header)) {
    throw new RegistryError(
      'invalid-response',
      `the Docker-Content-Digest ${header} does not match the manifest sent with it (${sha256Digest(response.body)})`,
    );
  }
  return header;
}

/**
 * Why a manifest answer cannot be the whole manifest, or undefined (the transport reads it
 * again: issue 23). With a digest to hold it to (the reference, else Docker-Content-Digest)
 * the bytes must hash to it; without one, a body cut short shows as JSON that ends early.
 */
export function manifestBodyProblem(
  response: RegistryResponse,
  reference: string,
): string | undefined {
  const header = response.headers['docker-content-digest']?.trim();
  const expected = isDigest(reference)
    ? reference
    : header !== undefined && isDigest(header)
      ? header
      : undefined;
  if (expected !== undefined) {
    return matchesDigest(response.body, expected) ? undefined : `body does not match ${expected}`;
  }
  return endsEarly(response.body) ? 'body is not complete JSON' : undefined;
}

function endsEarly(body: Buffer): boolean {
  try {
    JSON.parse(body.toString('utf8'));
    return false;
  } catch {
    return true;
  }
}

/** What a digest is: its parsed manifest, its creation date (or why it has none), its sizes. */
interface Facts {
  readonly manifest: ParsedManifest;
  readonly date: ImageDate;
  readonly footprint: ManifestFootprint;
}

/** A manifest's date and sizes, for an image or (from its platforms) for an index. */
type Dated = Omit<Facts, 'manifest'>;

interface Fetched {
  readonly digest: string;
  readonly response: RegistryResponse;
}

interface Shared<T> {
  readonly repository: string;
  readonly promise: Promise<T>;
}

/**
 * Tag -> digest, kind and creation date with the fewest requests (registry-v2.md, "Minimal
 * work"):
 * - a tag seen before whose digest's facts are all cached: one HEAD confirms where it points
 *   (tags are mutable). A HEAD naming another digest is not believed on its own: the tag is
 *   read again with a GET, whose body is checked against its digest, because a registry or
 *   proxy whose HEAD disagrees with its GET could otherwise move `latest` off a digest on paper
 *   and get that digest deleted. One extra request per moved tag buys that;
 * - any other tag: one GET by tag gives the digest and the body at once (not HEAD + GET);
 * - per platform image of an index and per config blob: one GET, only when not cached.
 * The digest a result carries always comes from the registry in this call; the cache supplies
 * only facts about digests, which content addressing makes permanent. Concurrent lookups of one
 * digest share one request, across repositories too. Throws RegistryError; the adapter decides
 * what is fatal.
 */
@injectable()
export class ManifestResolver {
  private readonly manifestsInFlight = new Map<string, Shared<ParsedManifest>>();
  private readonly configsInFlight = new Map<string, Shared<ImageDate>>();

  constructor(
    @inject(RepositorySend) private readonly send: RepositorySend,
    @inject(RegistryBaseUrl) private readonly baseUrl: string,
    @inject(ManifestCache) private readonly cache: ManifestCache,
  ) {}

  /** Lets the cache read what it keeps while the run's first requests are under way. */
  preload(): void {
    void this.cache.preload?.();
  }

  async inspect(repository: string, tag: string, access: RepositoryAccess): Promise<TagResolution> {
    const known = await this.cache.getTagDigest(repository, tag);
    const cached = known === undefined ? undefined : await this.cachedFacts(known, 0);
    if (known !== undefined && cached !== undefined) {
      const head = await this.head(repository, tag, access);
      if (head?.digest === known) return resolutionOf(known, cached);
    }
    const fetched = await this.fetchByReference(repository, tag, access);
    const manifest = await this.manifestFromResponse(fetched);
    const dated = await this.datedOf(repository, fetched.digest, manifest, access, 0);
    await this.cache.putTagDigest(repository, tag, fetched.digest);
    return resolutionOf(fetched.digest, { manifest, ...dated });
  }

  /**
   * Where a tag points, and for an index its platform images; no config blob is read. Its
   * sizes come with it; an index's platforms only when the cache knows them (no request).
   */
  async pointer(repository: string, tag: string, access: RepositoryAccess): Promise<TagPointer> {
    const known = await this.cache.getTagDigest(repository, tag);
    const cached = known === undefined ? undefined : await this.cache.getManifest(known);
    if (known !== undefined && cached !== undefined) {
      const head = await this.head(repository, tag, access);
      // Only an unchanged digest is taken from HEAD; a moved tag is read again (see inspect).
      if (head?.digest === known) return this.pointerOf(known, cached);
    }
    const fetched = await this.fetchByReference(repository, tag, access);
    const manifest = await this.manifestFromResponse(fetched);
    await this.cache.putTagDigest(repository, tag, fetched.digest);
    return this.pointerOf(fetched.digest, manifest);
  }

  private async pointerOf(digest: string, manifest: ParsedManifest): Promise<TagPointer> {
    const footprint = await this.cachedFootprint(digest, manifest, 0);
    return { digest, children: platformDigests(manifest), footprint };
  }

  /** Sizes from a manifest and, for an index, whatever the cache knows of its platforms. */
  private async cachedFootprint(
    digest: string,
    manifest: ParsedManifest,
    depth: number,
  ): Promise<ManifestFootprint> {
    if (manifest.kind === 'image') return imageFootprint(digest, manifest);
    if (depth >= MAX_INDEX_DEPTH) return indexFootprint(digest, manifest, undefined);
    const platforms: ManifestFootprint[] = [];
    for (const child of manifest.children) {
      const cached = await this.cache.getManifest(child.digest);
      if (cached === undefined) return indexFootprint(digest, manifest, undefined);
      platforms.push(await this.cachedFootprint(child.digest, cached, depth + 1));
    }
    return indexFootprint(digest, manifest, platforms);
  }

  /** GET a manifest by tag (or digest) with every manifest type accepted. */
  async fetchByReference(
    repository: string,
    reference: string,
    access: RepositoryAccess,
  ): Promise<Fetched> {
    const response = await this.send(
      {
        kind: 'manifest-get',
        method: 'GET',
        url: manifestUrl(this.baseUrl, repository, reference),
        headers: MANIFEST_HEADERS,
        checkBody: (answer) => manifestBodyProblem(answer, reference),
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

  /** The parsed manifest of a digest: from the cache, or one GET verified against the digest. */
  manifestByDigest(
    repository: string,
    digest: string,
    access: RepositoryAccess,
  ): Promise<ParsedManifest> {
    return this.shared(this.manifestsInFlight, digest, repository, async () => {
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

  /**
   * HEAD by tag: the digest from `Docker-Content-Digest`. undefined when the registry answers
   * HEAD badly (no digest header, 405, odd statuses: Nexus), so that the caller GETs instead.
   */
  private async head(
    repository: string,
    tag: string,
    access: RepositoryAccess,
  ): Promise<{ digest: string; mediaType: string | undefined } | undefined> {
    const response = await this.send(
      {
        kind: 'manifest-head',
        method: 'HEAD',
        url: manifestUrl(this.baseUrl, repository, tag),
        headers: MANIFEST_HEADERS,
      },
      repository,
      access,
    );
    const header = response.headers['docker-content-digest']?.trim();
    if (
      response.status >= 200 &&
      response.status <= 299 &&
      header !== undefined &&
      isDigest(header)
    ) {
      return { digest: header, mediaType: baseMediaType(response.headers['content-type']) };
    }
    if (response.status === 404) {
      throw new RegistryError('not-found', `tag ${tag} not found in ${repository}`, 404);
    }
    if ([401, 403, 429].includes(response.status)) {
      throw statusError(response, `HEAD manifest ${repository}:${tag}`);
    }
    return undefined;
  }

  /** The manifest a GET by tag returned; cached only when its bytes match the digest. */
  private async manifestFromResponse({ digest, response }: Fetched): Promise<ParsedManifest> {
    const cached = await this.cache.getManifest(digest);
    if (cached !== undefined) {
      return cached;
    }
    const manifest = parseManifest(response.body, response.headers['content-type']);
    if (matchesDigest(response.body, digest)) {
      await this.cache.putManifest(digest, manifest);
    }
    return manifest;
  }

  /** Everything about a digest from the cache alone, or undefined if any part is missing. */
  private async cachedFacts(digest: string, depth: number): Promise<Facts | undefined> {
    const manifest = await this.cache.getManifest(digest);
    if (manifest === undefined) {
      return undefined;
    }
    if (manifest.kind === 'image') {
      const date = await this.cache.getConfigDate(manifest.configDigest);
      return date === undefined
        ? undefined
        : { manifest, date, footprint: imageFootprint(digest, manifest) };
    }
    if (depth >= MAX_INDEX_DEPTH) {
      return undefined;
    }
    const platforms: (Dated & { child: IndexChild })[] = [];
    for (const child of manifest.children) {
      const facts = await this.cachedFacts(child.digest, depth + 1);
      if (facts === undefined) {
        return undefined;
      }
      platforms.push({ child, ...facts });
    }
    return { manifest, ...indexDated(digest, manifest, platforms) };
  }

  private async datedOf(
    repository: string,
    digest: string,
    manifest: ParsedManifest,
    access: RepositoryAccess,
    depth: number,
  ): Promise<Dated> {
    if (manifest.kind === 'image') {
      const date = await this.configDate(repository, manifest.configDigest, access);
      return { date, footprint: imageFootprint(digest, manifest) };
    }
    if (depth >= MAX_INDEX_DEPTH) {
      throw new RegistryError('invalid-response', 'the index nests indexes too deeply');
    }
    const platforms = await Promise.all(
      manifest.children.map(async (child) => {
        const childManifest = await this.manifestByDigest(repository, child.digest, access);
        const dated = await this.datedOf(
          repository,
          child.digest,
          childManifest,
          access,
          depth + 1,
        );
        return { child, ...dated };
      }),
    );
    return indexDated(digest, manifest, platforms);
  }

  private configDate(
    repository: string,
    configDigest: string,
    access: RepositoryAccess,
  ): Promise<ImageDate> {
    return this.shared(this.configsInFlight, configDigest, repository, async () => {
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
          checkBody: (answer) =>
            matchesDigest(answer.body, configDigest)
              ? undefined
              : `body does not match ${configDigest}`,
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

  /**
   * One request per digest in flight. Content is the same in every repository, so a lookup
   * from another repository waits for it too; if that one fails, it tries on its own (the
   * failure may be the other repository's, e.g. its permissions).
   */
  private shared<T>(
    inFlight: Map<string, Shared<T>>,
    digest: string,
    repository: string,
    load: () => Promise<T>,
  ): Promise<T> {
    const pending = inFlight.get(digest);
    if (pending !== undefined) {
      return pending.repository === repository ? pending.promise : pending.promise.catch(load);
    }
    const promise = load().finally(() => {
      if (inFlight.get(digest)?.promise === promise) inFlight.delete(digest);
    });
    inFlight.set(digest, { repository, promise });
    return promise;
  }
}

/** An index's date (newest platform) and sizes (its own and its platforms'). */
function indexDated(
  digest: string,
  manifest: ParsedManifest & { readonly kind: 'index' },
  platforms: readonly (Dated & { readonly child: IndexChild })[],
): Dated {
  return {
    date: indexDate(
      platforms.map(({ child, date }) => ({
        platform: child.platform,
        digest: child.digest,
        date,
      })),
    ),
    footprint: indexFootprint(
      digest,
      manifest,
      platforms.map((platform) => platform.footprint),
    ),
  };
}

function imageFootprint(
  digest: string,
  manifest: ParsedManifest & { readonly kind: 'image' },
): ManifestFootprint {
  return {
    digest,
    bytes: manifest.bytes,
    blobs: [{ digest: manifest.configDigest, size: manifest.configSize }, ...manifest.layers],
  };
}

function indexFootprint(
  digest: string,
  manifest: ParsedManifest,
  platforms: readonly ManifestFootprint[] | undefined,
): ManifestFootprint {
  return {
    digest,
    bytes: manifest.bytes,
    blobs: [],
    ...(platforms === undefined ? {} : { platforms }),
  };
}

function resolutionOf(digest: string, { manifest, date, footprint }: Facts): TagResolution {
  const children = platformDigests(manifest);
  const kind = manifest.kind;
  return date.ok
    ? { status: 'resolved', digest, kind, created: date.date, children, footprint }
    : { status: 'undated', digest, kind, problem: date.problem, children, footprint };
}

/** The platform manifests of an index (empty for an image): what a kept index protects. */
export function platformDigests(manifest: ParsedManifest): string[] {
  return manifest.kind === 'index' ? manifest.children.map((child) => child.digest) : [];
}
