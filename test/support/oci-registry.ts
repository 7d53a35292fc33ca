import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  digestOf,
  isDigest,
  isTag,
  OciRepository,
  parseManifest,
  PushRefused,
} from './oci-store.js';

/**
 * A loopback, in-memory registry that follows the OCI distribution spec's text (v1.1: the
 * endpoints end-1 to end-13, "Deleting tags", "Deleting Manifests", "Listing Referrers"), for
 * what the real registry of the tests (distribution 2.8) lacks: a tag DELETE that answers 202
 * and a referrers API that answers 200. It is generic: it knows nothing of the cleaner, and
 * answers every client the same way. No authentication; it binds 127.0.0.1 only.
 */
export interface OciRegistryOptions {
  /**
   * How `DELETE /v2/<name>/manifests/<tag>` answers. `accepted` (the default): the spec's 202,
   * the tag alone removed. `bad-request` / `method-not-allowed`: tag deletion disabled (the
   * spec's 400 / 405, with UNSUPPORTED). `not-found`: a registry that answers 404 and keeps the
   * tag (Nexus does this).
   */
  readonly tagDelete?: 'accepted' | 'bad-request' | 'method-not-allowed' | 'not-found';
  /** false: no referrers API (404 on end-12, no OCI-Subject header), as distribution 2.8. */
  readonly referrersApi?: boolean;
}

export interface OciRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly status: number;
}

export interface OciRegistry {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Every request answered, in order. */
  readonly requests: OciRequest[];
  /** Tags of a repository and their digests, read from memory (no request). */
  tags(repository: string): Record<string, string>;
  hasManifest(repository: string, digest: string): boolean;
  stop(): Promise<void>;
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const ROUTE =
  /^\/v2\/(.+?)\/(manifests\/([^/]+)|blobs\/uploads\/([^/]*)|blobs\/([^/]+)|tags\/list|referrers\/([^/]+))$/;

type Reply = (status: number, headers?: Record<string, string>, body?: Buffer | object) => void;

export async function startOciRegistry(options: OciRegistryOptions = {}): Promise<OciRegistry> {
  const repositories = new Map<string, OciRepository>();
  const requests: OciRequest[] = [];
  const server = createServer((request, response) => {
    void read(request).then((body) => {
      const reply: Reply = (status, headers = {}, payload) => {
        requests.push({ method: request.method ?? '', url: request.url ?? '', status });
        send(response, request.method === 'HEAD', status, headers, payload);
      };
      try {
        handle(request, body, reply);
      } catch (error) {
        // A refused push is the one error handle() throws on purpose: 400 with its code.
        if (error instanceof PushRefused) reply(400, {}, errors(error.code, error.message));
        else reply(500, {}, errors('UNKNOWN', String(error)));
      }
    });
  });

  function handle(request: IncomingMessage, body: Buffer, reply: Reply): void {
    const url = new URL(request.url ?? '/', 'http://registry');
    const method = request.method ?? 'GET';
    if (url.pathname === '/v2/' && method === 'GET') {
      reply(200, { 'Docker-Distribution-API-Version': 'registry/2.0' }, {});
      return;
    }
    const route = ROUTE.exec(url.pathname);
    if (route === null) {
      reply(404, {}, errors('NAME_UNKNOWN', 'no such endpoint'));
      return;
    }
    const name = route[1] ?? '';
    const [, , part = '', reference, upload, blob, subject] = route;
    if (reference !== undefined) manifests(name, method, reference, request, body, reply);
    else if (upload !== undefined) uploads(name, method, upload, url, body, reply);
    else if (blob !== undefined) blobs(name, method, blob, reply);
    else if (subject !== undefined) referrers(name, subject, url, reply);
    else if (part === 'tags/list' && method === 'GET') tagList(name, url, reply);
    else reply(405, {}, errors('UNSUPPORTED', `${method} ${url.pathname}`));
  }

  function existing(name: string, reply: Reply): OciRepository | undefined {
    const repository = repositories.get(name);
    if (repository === undefined) reply(404, {}, errors('NAME_UNKNOWN', `${name} is unknown`));
    return repository;
  }

  function created(name: string): OciRepository {
    let repository = repositories.get(name);
    if (repository === undefined) {
      repository = new OciRepository();
      repositories.set(name, repository);
    }
    return repository;
  }

  // end-3, end-7, end-9
  function manifests(
    name: string,
    method: string,
    reference: string,
    request: IncomingMessage,
    body: Buffer,
    reply: Reply,
  ): void {
    const byDigest = isDigest(reference);
    if (!byDigest && !isTag(reference)) {
      reply(400, {}, errors('MANIFEST_INVALID', `invalid reference ${reference}`));
      return;
    }
    if (method === 'PUT') {
      const manifest = parseManifest(body, request.headers['content-type']);
      if (byDigest && manifest.digest !== reference) {
        throw new PushRefused('DIGEST_INVALID', `the body's digest is ${manifest.digest}`);
      }
      created(name).put(manifest, byDigest ? undefined : reference);
      const headers: Record<string, string> = {
        Location: `/v2/${name}/manifests/${manifest.digest}`,
        'Docker-Content-Digest': manifest.digest,
      };
      // A registry with the referrers API says so by echoing the subject it indexed.
      if (manifest.subject !== undefined && options.referrersApi !== false) {
        headers['OCI-Subject'] = manifest.subject;
      }
      reply(201, headers);
      return;
    }
    const repository = existing(name, reply);
    if (repository === undefined) return;
    if (method === 'GET' || method === 'HEAD') {
      const manifest = repository.resolve(reference);
      if (manifest === undefined) {
        reply(404, {}, errors('MANIFEST_UNKNOWN', `${name}:${reference} is unknown`));
        return;
      }
      const headers = {
        'Content-Type': manifest.mediaType,
        'Docker-Content-Digest': manifest.digest,
      };
      reply(200, headers, manifest.bytes);
      return;
    }
    if (method !== 'DELETE') {
      reply(405, {}, errors('UNSUPPORTED', `${method} on a manifest`));
      return;
    }
    if (byDigest) {
      if (repository.deleteManifest(reference)) reply(202);
      else reply(404, {}, errors('MANIFEST_UNKNOWN', `${reference} is unknown`));
      return;
    }
    deleteTag(name, repository, reference, reply);
  }

  function deleteTag(name: string, repository: OciRepository, tag: string, reply: Reply): void {
    const mode = options.tagDelete ?? 'accepted';
    if (mode === 'bad-request') reply(400, {}, errors('UNSUPPORTED', 'tag deletion is disabled'));
    else if (mode === 'method-not-allowed') {
      reply(405, {}, errors('UNSUPPORTED', 'tag deletion is disabled'));
    } else if (mode === 'not-found') reply(404, {}, errors('MANIFEST_UNKNOWN', tag));
    else if (repository.tags.delete(tag)) reply(202);
    else reply(404, {}, errors('MANIFEST_UNKNOWN', `${name}:${tag} is unknown`));
  }

  // end-4a, end-4b, end-5, end-6, end-13
  function uploads(
    name: string,
    method: string,
    session: string,
    url: URL,
    body: Buffer,
    reply: Reply,
  ): void {
    const digest = url.searchParams.get('digest') ?? undefined;
    if (method === 'POST' && session === '') {
      const repository = created(name);
      if (digest !== undefined) {
        // end-4b: the whole blob in the POST.
        storeBlob(repository, name, [body], digest, reply);
        return;
      }
      const id = randomUUID();
      repository.uploads.set(id, []);
      reply(202, { Location: `/v2/${name}/blobs/uploads/${id}`, Range: '0-0' });
      return;
    }
    const repository = repositories.get(name);
    const chunks = repository?.uploads.get(session);
    if (repository === undefined || chunks === undefined) {
      reply(404, {}, errors('BLOB_UPLOAD_UNKNOWN', `upload ${session} is unknown`));
      return;
    }
    const received = (): number => chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    if (method === 'GET') {
      reply(204, { Location: `/v2/${name}/blobs/uploads/${session}`, Range: `0-${received()}` });
    } else if (method === 'PATCH') {
      chunks.push(body);
      const range = `0-${String(Math.max(received() - 1, 0))}`;
      reply(202, { Location: `/v2/${name}/blobs/uploads/${session}`, Range: range });
    } else if (method === 'PUT' && digest !== undefined) {
      repository.uploads.delete(session);
      storeBlob(repository, name, [...chunks, body], digest, reply);
    } else reply(400, {}, errors('DIGEST_INVALID', 'the upload is closed by a PUT with ?digest='));
  }

  function storeBlob(
    repository: OciRepository,
    name: string,
    chunks: Buffer[],
    digest: string,
    reply: Reply,
  ): void {
    const bytes = Buffer.concat(chunks);
    if (digestOf(bytes) !== digest) {
      reply(400, {}, errors('DIGEST_INVALID', `the bytes' digest is ${digestOf(bytes)}`));
      return;
    }
    repository.blobs.set(digest, bytes);
    reply(201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
  }

  // end-2
  function blobs(name: string, method: string, digest: string, reply: Reply): void {
    const repository = existing(name, reply);
    if (repository === undefined) return;
    const bytes = repository.blobs.get(digest);
    if (bytes === undefined || (method !== 'GET' && method !== 'HEAD')) {
      reply(404, {}, errors('BLOB_UNKNOWN', `${digest} is unknown`));
      return;
    }
    const headers = { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': digest };
    reply(200, headers, bytes);
  }

  // end-8a, end-8b: lexical order; `n` caps the page, and a Link names the next one.
  function tagList(name: string, url: URL, reply: Reply): void {
    const repository = existing(name, reply);
    if (repository === undefined) return;
    const all = repository.sortedTags(url.searchParams.get('last') ?? undefined);
    const n = url.searchParams.get('n');
    const limit = n === null ? all.length : Number.parseInt(n, 10);
    if (!Number.isInteger(limit) || limit < 0) {
      reply(400, {}, errors('PAGINATION_NUMBER_INVALID', `n=${String(n)}`));
      return;
    }
    const page = all.slice(0, limit);
    const headers: Record<string, string> = {};
    const lastOnPage = page.at(-1);
    if (page.length < all.length && lastOnPage !== undefined) {
      const next = `/v2/${name}/tags/list?n=${String(limit)}&last=${encodeURIComponent(lastOnPage)}`;
      headers['Link'] = `<${next}>; rel="next"`;
    }
    reply(200, headers, { name, tags: page });
  }

  // end-12a, end-12b
  function referrers(name: string, subject: string, url: URL, reply: Reply): void {
    if (options.referrersApi === false) {
      reply(404, {}, errors('NAME_UNKNOWN', 'no referrers API'));
      return;
    }
    if (!isDigest(subject)) {
      reply(400, {}, errors('DIGEST_INVALID', `${subject} is not a digest`));
      return;
    }
    const repository = existing(name, reply);
    if (repository === undefined) return;
    let found = repository.referrers(subject);
    const headers: Record<string, string> = { 'Content-Type': OCI_INDEX };
    const wanted = url.searchParams.get('artifactType');
    if (wanted !== null) {
      found = found.filter((entry) => entry.artifactType === wanted);
      headers['OCI-Filters-Applied'] = 'artifactType';
    }
    reply(200, headers, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: found });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    requests,
    tags: (repository) => Object.fromEntries(repositories.get(repository)?.tags ?? []),
    hasManifest: (repository, digest) =>
      repositories.get(repository)?.manifests.has(digest) ?? false,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error === undefined) resolve();
          else reject(error);
        });
      }),
  };
}

function errors(code: string, message: string): object {
  return { errors: [{ code, message }] };
}

function read(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
    });
    request.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    request.on('error', reject);
  });
}

function send(
  response: ServerResponse,
  head: boolean,
  status: number,
  headers: Record<string, string>,
  payload: Buffer | object | undefined,
): void {
  const body =
    payload === undefined ? Buffer.alloc(0) : Buffer.isBuffer(payload) ? payload : json(payload);
  const type =
    payload === undefined || Buffer.isBuffer(payload) ? {} : { 'Content-Type': 'application/json' };
  response.writeHead(status, { ...type, ...headers, 'Content-Length': String(body.length) });
  response.end(head ? undefined : body);
}

function json(value: object): Buffer {
  return Buffer.from(JSON.stringify(value));
}
