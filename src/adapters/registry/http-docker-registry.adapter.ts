import { inject, injectable } from 'inversify';
import {
  RegistryError,
  type BlobReference,
  type Placeholder,
  type Registry,
  type RegistryErrorKind,
  type RepositoryAccess,
  type TagRemoval,
} from '../../application/ports/registry.port.js';
import type { ManifestCopy, ManifestWithChildren } from '../../domain/deletion-journal.js';
import type { TagPointer, TagResolution } from '../../domain/tag.js';
import { CATALOG_SCOPE, RegistryAuth } from './auth/registry-auth.js';
import { nextPageUrl } from './link-header.js';
import { ManifestCopies } from './manifests/manifest-copies.js';
import { referencedBlobs } from './manifests/manifest-references.js';
import { ManifestResolver } from './manifests/manifest-resolver.js';
import { Referrers } from './manifests/referrers.js';
import { deleteByDigest } from './delete-manifest.js';
import { buildPlaceholder } from './untag/placeholder.js';
import { TagRemover } from './untag/tag-remover.js';
import {
  RegistryHttpClient,
  type RegistryRequest,
  type RegistryResponse,
} from './transport/registry-http-client.js';
import { catalogUrl, tagListUrl } from './registry-urls.js';
import { normaliseBaseUrl, RegistrySettings } from './registry-settings.js';
import { pullScope } from './repository-sender.js';
import { RequestLimiter } from './transport/request-limiter.js';
import { RequestStats, type RequestKind } from '../shared/http/request-stats.js';
import type { RetryPolicy } from '../shared/http/retry-policy.js';
import { statusError } from './transport/status-error.js';

/**
 * Test and benchmark hooks of the registry adapter's parts; the composition root binds none
 * (the defaults), tests rebind it.
 */
export interface HttpDockerRegistryOptions {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => Date;
  /** Where NO_PROXY / no_proxy are read; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `n` of catalog and tag-list pages (default 1000, the most distribution 2.8.2+ accepts). */
  readonly pageSize?: number;
  readonly retryPolicy?: RetryPolicy;
}
export const HttpDockerRegistryOptions = Symbol('HttpDockerRegistryOptions');

const DEFAULT_PAGE_SIZE = 1000;
const MAX_PAGES = 100_000;
/**
 * Tag resolutions under way at once, per request slot. A job over 100k tags asks for all of
 * them at once; only this many start (enough to keep every request slot busy), the others wait
 * as one small closure each instead of a chain of suspended calls, and a started tag's own
 * follow-up requests (platform images, config) are not queued behind 100k manifest GETs.
 */
const RESOLUTIONS_PER_REQUEST_SLOT = 4;
/**
 * Errors about the whole registry, or the whole run (a shutdown): inspectTag throws these
 * instead of failing one tag.
 */
const REGISTRY_WIDE: ReadonlySet<RegistryErrorKind> = new Set([
  'auth',
  'forbidden',
  'tls',
  'stopped',
]);

/** The Registry port over the Registry HTTP API v2 / OCI distribution (registry-v2.md). */
@injectable()
export class HttpDockerRegistry implements Registry {
  readonly concurrency: number;
  private readonly baseUrl: string;
  private readonly pageSize: number;
  private readonly resolutions: RequestLimiter;
  private readonly warnings: readonly string[];

  /**
   * Its parts come from the composition root (container.ts, registryModule): the transport
   * (HTTP exchange, request gate, request statistics), auth, the manifest resolver over the
   * registry cache, and the manifest copies of the deletion journal.
   */
  constructor(
    @inject(RegistrySettings) settings: RegistrySettings,
    @inject(HttpDockerRegistryOptions) options: HttpDockerRegistryOptions,
    @inject(RegistryHttpClient) private readonly http: RegistryHttpClient,
    @inject(RegistryAuth) private readonly auth: RegistryAuth,
    @inject(ManifestResolver) private readonly resolver: ManifestResolver,
    @inject(ManifestCopies) private readonly copies: ManifestCopies,
    @inject(Referrers) private readonly referrerList: Referrers,
    @inject(TagRemover) private readonly tagRemover: TagRemover,
    /** Requests sent so far, by kind (the transport's; read by tests and the benchmark). */
    @inject(RequestStats) readonly stats: RequestStats,
  ) {
    this.warnings = settings.insecure
      ? ['TLS verification is disabled (insecure: true): the registry is not authenticated']
      : [];
    this.baseUrl = normaliseBaseUrl(settings.url);
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.concurrency = Math.max(1, settings.maxConcurrentRequests);
    this.resolutions = new RequestLimiter(this.concurrency * RESOLUTIONS_PER_REQUEST_SLOT);
  }

  async listRepositories(): Promise<string[]> {
    this.resolver.preload();
    return this.listPages(
      'catalog',
      catalogUrl(this.baseUrl, this.pageSize),
      CATALOG_SCOPE,
      'repositories',
      'the catalog',
    );
  }

  standingWarnings(): readonly string[] {
    return this.warnings;
  }

  async listTags(repository: string, access: RepositoryAccess): Promise<string[]> {
    // The tags are inspected next: the registry cache is read while this list is on the wire.
    this.resolver.preload();
    return this.listPages(
      'tags',
      tagListUrl(this.baseUrl, repository, this.pageSize),
      pullScope(repository, access),
      'tags',
      `the tags of ${repository}`,
    );
  }

  inspectTag(repository: string, tag: string, access: RepositoryAccess): Promise<TagResolution> {
    // Not async itself: a tag waiting for its turn holds no suspended call.
    return this.resolutions.run(() => this.inspectNow(repository, tag, access));
  }

  digestOf(repository: string, tag: string, access: RepositoryAccess): Promise<TagPointer> {
    return this.resolutions.run(() => this.resolver.pointer(repository, tag, access));
  }

  deleteManifest(repository: string, digest: string): Promise<'deleted' | 'already-gone'> {
    return deleteByDigest(this.auth, this.baseUrl, repository, digest);
  }

  placeholderFor(tag: string, originalMediaType: string, at: Date): Placeholder {
    return buildPlaceholder(tag, originalMediaType, at);
  }

  removeTag(
    repository: string,
    tag: string,
    expected: string,
    placeholder: Placeholder,
  ): Promise<TagRemoval> {
    return this.tagRemover.remove(repository, tag, expected, placeholder);
  }

  manifestCopy(
    repository: string,
    digest: string,
    access: RepositoryAccess,
  ): Promise<ManifestWithChildren> {
    return this.copies.copy(repository, digest, access);
  }

  currentDigest(
    repository: string,
    tag: string,
    access: RepositoryAccess,
  ): Promise<string | undefined> {
    return this.copies.currentDigest(repository, tag, access);
  }

  blobsOf(manifest: ManifestCopy): readonly BlobReference[] {
    return referencedBlobs(manifest.bytes);
  }

  blobExists(repository: string, digest: string, access: RepositoryAccess): Promise<boolean> {
    return this.copies.blobExists(repository, digest, access);
  }

  putManifest(repository: string, reference: string, manifest: ManifestCopy): Promise<string> {
    return this.copies.put(repository, reference, manifest);
  }

  referrers(
    repository: string,
    digest: string,
    access: RepositoryAccess,
  ): Promise<readonly string[] | undefined> {
    return this.referrerList.list(repository, digest, access);
  }

  /** Closes kept-alive sockets (tests, end of process). */
  close(): void {
    this.http.close();
  }

  private async inspectNow(
    repository: string,
    tag: string,
    access: RepositoryAccess,
  ): Promise<TagResolution> {
    try {
      return await this.resolver.inspect(repository, tag, access);
    } catch (error) {
      if (error instanceof RegistryError && !REGISTRY_WIDE.has(error.kind)) {
        return { status: 'failed', problem: error.message };
      }
      throw error;
    }
  }

  private async listPages(
    kind: Extract<RequestKind, 'catalog' | 'tags'>,
    firstUrl: string,
    scope: string,
    field: 'repositories' | 'tags',
    what: string,
  ): Promise<string[]> {
    const items: string[] = [];
    const seen = new Set<string>();
    let url: string | undefined = firstUrl;
    while (url !== undefined) {
      if (seen.has(url) || seen.size >= MAX_PAGES) {
        throw new RegistryError('invalid-response', `the registry's pagination of ${what} loops`);
      }
      seen.add(url);
      const request: RegistryRequest = {
        kind,
        method: 'GET',
        url,
        headers: { Accept: 'application/json' },
      };
      const response = await this.auth.send(request, scope);
      if (response.status < 200 || response.status > 299) {
        throw this.listError(response, kind, what);
      }
      items.push(...parseNameList(response, field, what));
      url = nextPageUrl(response.headers['link'], response.url);
    }
    return items;
  }

  private listError(
    response: RegistryResponse,
    kind: 'catalog' | 'tags',
    what: string,
  ): RegistryError {
    if (kind === 'catalog' && [401, 403, 404].includes(response.status)) {
      // Many hosted registries deny the catalog (registry-v2.md, "catalog" row).
      return new RegistryError(
        response.status === 404 ? 'unsupported' : response.status === 401 ? 'auth' : 'forbidden',
        `the registry refused to list its catalog (${response.status}); it may not offer the catalog to this account: ` +
          'name the repositories literally instead of r/<regex>/',
        response.status,
      );
    }
    return statusError(response, `GET ${what}`);
  }
}

function parseNameList(
  response: RegistryResponse,
  field: 'repositories' | 'tags',
  what: string,
): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body.toString('utf8'));
  } catch {
    throw new RegistryError('invalid-response', `${what}: the registry's answer is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new RegistryError(
      'invalid-response',
      `${what}: the registry's answer is not a JSON object`,
    );
  }
  const list = (parsed as Record<string, unknown>)[field];
  if (list === null || list === undefined) {
    return []; // distribution sends "tags": null for a repository without tags
  }
  if (!Array.isArray(list) || !list.every((item): item is string => typeof item === 'string')) {
    throw new RegistryError('invalid-response', `${what}: "${field}" is not a list of names`);
  }
  return list;
}
