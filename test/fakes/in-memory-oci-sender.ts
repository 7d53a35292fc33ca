import type { RepositoryAccess } from '../../src/application/ports/registry.port.js';
import type { RepositorySend } from '../../src/adapters/registry/manifests/manifest-resolver.js';
import type {
  HttpSender,
  RegistryRequest,
  RegistryResponse,
} from '../../src/adapters/registry/transport/registry-http-client.js';
import {
  digestOf,
  isDigest,
  OciRepository,
  parseManifest,
  PushRefused,
} from '../support/oci-store.js';

/**
 * How `DELETE /v2/<name>/manifests/<tag>` answers: the spec's 202 (the tag alone goes), 400 or
 * 405 (no tag DELETE), Nexus' 404 (the tag stays), a 404 after which the tag is gone, or a
 * broken 202 that deletes the manifest and so every tag on it.
 */
export type TagDeleteMode =
  | 'accepted'
  | 'bad-request'
  | 'method-not-allowed'
  | 'not-found-kept'
  | 'not-found-gone'
  | 'deletes-manifest';

/** One request as the fake saw it; `access` is absent for what came through auth. */
export interface SentRequest {
  readonly method: RegistryRequest['method'];
  /** The path after `/v2/<repository>/`, e.g. `manifests/dev-1` or `blobs/uploads/`. */
  readonly path: string;
  readonly repository: string;
  readonly access?: RepositoryAccess;
  readonly contentType?: string;
  readonly body?: Buffer;
}

const ROUTE = /^\/v2\/(.+?)\/(manifests\/[^/]+|blobs\/uploads\/[^/]*)$/;

/**
 * A registry in memory for unit tests of the registry adapter's parts: the content model of the
 * loopback OCI registry (test/support/oci-store.ts) behind both the repository sender and the
 * auth transport, every request recorded in order. `fault` answers a request instead of the
 * model (a status), or runs something first (a push by somebody else) and lets the model answer.
 */
export class InMemoryOciSender {
  readonly sent: SentRequest[] = [];
  tagDelete: TagDeleteMode = 'accepted';
  fault: (request: SentRequest) => number | undefined = () => undefined;
  private readonly repositories = new Map<string, OciRepository>();
  private uploads = 0;

  constructor(private readonly baseUrl: string) {}

  readonly send: RepositorySend = (request, _repository, access) =>
    Promise.resolve(this.answer(request, access));

  /** The transport under RegistryAuth: `GET /v2/` says the registry is open. */
  readonly http: HttpSender = {
    send: (request) => Promise.resolve(this.answer(request, undefined)),
  };

  /** Stores an image (its blobs too) under `tags`, without a request; its digest. */
  push(repository: string, tags: readonly string[], mediaType: string, seed: string): string {
    const store = this.repository(repository);
    const config = Buffer.from(JSON.stringify({ seed }));
    store.blobs.set(digestOf(config), config);
    const bytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType,
        config: { mediaType: 'application/json', digest: digestOf(config), size: config.length },
        layers: [],
      }),
    );
    const manifest = parseManifest(bytes, mediaType);
    store.put(manifest, undefined);
    for (const tag of tags) store.tags.set(tag, manifest.digest);
    return manifest.digest;
  }

  /** Tag -> digest of a repository, read from memory. */
  tags(repository: string): Record<string, string> {
    return Object.fromEntries(this.repository(repository).tags);
  }

  hasManifest(repository: string, digest: string): boolean {
    return this.repository(repository).manifests.has(digest);
  }

  /** The registry's garbage collector: the blobs no manifest of the repository names go. */
  collectGarbage(repository: string): void {
    const store = this.repository(repository);
    const used = new Set([...store.manifests.values()].flatMap((manifest) => manifest.blobs));
    for (const digest of [...store.blobs.keys()]) if (!used.has(digest)) store.blobs.delete(digest);
  }

  /** Writes (POST, PUT, DELETE) as `METHOD repository/path`, in order. */
  writes(): string[] {
    return this.sent
      .filter((request) => request.method !== 'GET' && request.method !== 'HEAD')
      .map((request) => `${request.method} ${request.repository}/${request.path}`);
  }

  private repository(name: string): OciRepository {
    let found = this.repositories.get(name);
    if (found === undefined) {
      found = new OciRepository();
      this.repositories.set(name, found);
    }
    return found;
  }

  private answer(request: RegistryRequest, access: RepositoryAccess | undefined): RegistryResponse {
    const url = new URL(request.url);
    const reply = (status: number, headers: Record<string, string> = {}, body?: Buffer) => ({
      status,
      headers,
      body: body ?? Buffer.alloc(0),
      url: request.url,
    });
    if (url.pathname === '/v2/') return reply(200);
    const route = ROUTE.exec(url.pathname);
    if (route === null) return reply(404);
    const [, repository = '', path = ''] = route;
    const contentType = request.headers?.['Content-Type'];
    const seen: SentRequest = {
      method: request.method,
      path,
      repository,
      ...(access === undefined ? {} : { access }),
      ...(contentType === undefined ? {} : { contentType }),
      ...(request.body === undefined ? {} : { body: Buffer.from(request.body) }),
    };
    this.sent.push(seen);
    const faulted = this.fault(seen);
    if (faulted !== undefined) return reply(faulted);
    const store = this.repository(repository);
    try {
      if (path.startsWith('blobs/uploads/')) return this.upload(store, seen, url, reply);
      return this.manifest(store, seen, path.slice('manifests/'.length), reply);
    } catch (error) {
      if (error instanceof PushRefused) return reply(400);
      throw error;
    }
  }

  private upload(
    store: OciRepository,
    request: SentRequest,
    url: URL,
    reply: (status: number, headers?: Record<string, string>) => RegistryResponse,
  ): RegistryResponse {
    if (request.method === 'POST') {
      this.uploads += 1;
      return reply(202, {
        location: `/v2/${request.repository}/blobs/uploads/session-${String(this.uploads)}`,
      });
    }
    const digest = url.searchParams.get('digest');
    const bytes = request.body ?? Buffer.alloc(0);
    if (request.method !== 'PUT' || digest !== digestOf(bytes)) return reply(400);
    store.blobs.set(digest, bytes);
    return reply(201, { 'docker-content-digest': digest });
  }

  private manifest(
    store: OciRepository,
    request: SentRequest,
    reference: string,
    reply: (status: number, headers?: Record<string, string>, body?: Buffer) => RegistryResponse,
  ): RegistryResponse {
    const byDigest = isDigest(reference);
    switch (request.method) {
      case 'PUT': {
        const manifest = parseManifest(request.body ?? Buffer.alloc(0), request.contentType);
        store.put(manifest, byDigest ? undefined : reference);
        return reply(201, { 'docker-content-digest': manifest.digest });
      }
      case 'HEAD':
      case 'GET': {
        const found = store.resolve(reference);
        if (found === undefined) return reply(404);
        const headers = { 'docker-content-digest': found.digest, 'content-type': found.mediaType };
        return reply(200, headers, request.method === 'GET' ? found.bytes : undefined);
      }
      case 'DELETE':
        if (byDigest) return reply(store.deleteManifest(reference) ? 202 : 404);
        return this.deleteTag(store, reference, reply);
      case 'POST':
        return reply(405);
    }
  }

  private deleteTag(
    store: OciRepository,
    tag: string,
    reply: (status: number) => RegistryResponse,
  ): RegistryResponse {
    switch (this.tagDelete) {
      case 'accepted':
        return reply(store.tags.delete(tag) ? 202 : 404);
      case 'bad-request':
        return reply(400);
      case 'method-not-allowed':
        return reply(405);
      case 'not-found-kept':
        return reply(404);
      case 'not-found-gone':
        store.tags.delete(tag);
        return reply(404);
      case 'deletes-manifest': {
        const digest = store.tags.get(tag);
        if (digest !== undefined) store.deleteManifest(digest);
        return reply(202);
      }
    }
  }
}
