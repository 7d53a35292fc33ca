// The synthetic registry's request handler: Registry HTTP API v2 answers computed from the
// repository and tag names (model.ts, templates.ts), nothing stored. Its state is fixed-size
// bit sets (BitSet) sized by the data set: the manifests deleted so far (so that DELETE twice
// answers 404 and a tag on a deleted digest disappears from tags/list, as in distribution 2.8),
// and the requests already seen (to count duplicates, as bench/access-log.ts does).
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { SHARED_LAYER, type BuiltContent } from '../content.js';
import { REQUEST_KINDS, type RequestCounts, type RequestKind } from '../floor.js';
import { BitSet } from './bitset.js';
import { blobOf, DigestIndex, isManifestRole, ROLE, ROLES } from './digest-index.js';
import type { SyntheticModel } from './model.js';
import { render } from './templates.js';

/** What the registry saw since the last reset, as bench/access-log.ts classifies a log. */
export interface SyntheticCounters {
  readonly counts: RequestCounts;
  /** Requests of no known kind (should be none). */
  readonly other: number;
  /** Manifest or blob requests for a digest (or a repository's tag) already asked for. */
  readonly duplicates: number;
  readonly statuses: Record<string, number>;
  /** TCP connections accepted: a keep-alive client opens about as many as it has in flight. */
  readonly connections: number;
}

/** distribution 2.8.2 refuses larger catalog pages. */
const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;
const API_VERSION = 'registry/2.0';

function errorBody(code: string, message: string): Buffer {
  return Buffer.from(JSON.stringify({ errors: [{ code, message, detail: null }] }));
}

const ERRORS = {
  name: errorBody('NAME_UNKNOWN', 'repository name not known to registry'),
  manifest: errorBody('MANIFEST_UNKNOWN', 'manifest unknown'),
  blob: errorBody('BLOB_UNKNOWN', 'blob unknown to registry'),
  digest: errorBody('DIGEST_INVALID', 'provided digest did not match uploaded content'),
  page: errorBody('PAGINATION_NUMBER_INVALID', 'invalid number of results requested'),
  unsupported: errorBody('UNSUPPORTED', 'The operation is unsupported.'),
  notFound: errorBody('NOT_FOUND', 'not found'),
} as const;

export class SyntheticRegistry {
  private readonly digests: DigestIndex;
  /** Per repository and code (slot * ROLES + role): deleted manifests. Never reset. */
  private readonly deleted: BitSet;
  private readonly seenTagGet: BitSet;
  private readonly seenTagHead: BitSet;
  private readonly seenDigestGet: BitSet;
  private readonly seenDigestHead: BitSet;
  private readonly seenBlob: BitSet;
  private seenLayer = false;
  private counts = emptyCounts();
  private other = 0;
  private duplicates = 0;
  private statuses: Record<string, number> = {};
  private connections = 0;
  private readonly codesPerRepository: number;

  constructor(private readonly model: SyntheticModel) {
    const repositories = model.options.repositories;
    this.codesPerRepository = model.slots * ROLES;
    const codes = repositories * this.codesPerRepository;
    const tags = repositories * model.tagsPerRepository;
    this.digests = new DigestIndex(model);
    this.deleted = new BitSet(codes);
    this.seenTagGet = new BitSet(tags);
    this.seenTagHead = new BitSet(tags);
    this.seenDigestGet = new BitSet(codes);
    this.seenDigestHead = new BitSet(codes);
    this.seenBlob = new BitSet(codes);
  }

  /** Forgets the counters and the duplicate tracking (not the deletions). */
  reset(): void {
    this.counts = emptyCounts();
    this.other = 0;
    this.duplicates = 0;
    this.statuses = {};
    this.connections = 0;
    for (const seen of [
      this.seenTagGet,
      this.seenTagHead,
      this.seenDigestGet,
      this.seenDigestHead,
      this.seenBlob,
    ]) {
      seen.clear();
    }
    this.seenLayer = false;
  }

  counters(): SyntheticCounters {
    return {
      counts: { ...this.counts },
      other: this.other,
      duplicates: this.duplicates,
      statuses: { ...this.statuses },
      connections: this.connections,
    };
  }

  /** Fixed memory (bit sets) and repositories indexed by digest so far. */
  footprint(): { bitSetBytes: number; indexedRepositories: number } {
    const sets = [
      this.deleted,
      this.seenTagGet,
      this.seenTagHead,
      this.seenDigestGet,
      this.seenDigestHead,
      this.seenBlob,
    ];
    return {
      bitSetBytes: sets.reduce((sum, set) => sum + set.bytes, 0),
      indexedRepositories: this.digests.size,
    };
  }

  readonly connected = (): void => {
    this.connections += 1;
  };

  readonly handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = request.url ?? '';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const method = request.method ?? 'GET';
    const head = method === 'HEAD';
    const answer = (status: number, headers: OutgoingHttpHeaders, body: Buffer): void => {
      this.statuses[status] = (this.statuses[status] ?? 0) + 1;
      response.writeHead(status, {
        'docker-distribution-api-version': API_VERSION,
        'content-length': body.length,
        ...headers,
      });
      response.end(head ? undefined : body);
    };
    const json = { 'content-type': 'application/json; charset=utf-8' };
    const fail = (status: number, body: Buffer): void => {
      answer(status, json, body);
    };
    if (!path.startsWith('/v2/') && path !== '/v2') {
      this.other += 1;
      fail(404, ERRORS.notFound);
      return;
    }
    const rest = path.slice(4);
    if (rest === '') {
      this.count('probe');
      answer(200, json, Buffer.from('{}'));
      return;
    }
    if (rest === '_catalog') {
      this.count('catalog');
      this.catalog(url.slice(query < 0 ? url.length : query + 1), answer, fail);
      return;
    }
    if (rest.endsWith('/tags/list')) {
      this.count('tags');
      const repository = this.model.repositoryIndex(rest.slice(0, -'/tags/list'.length));
      if (repository < 0) fail(404, ERRORS.name);
      else answer(200, json, this.tagsList(repository));
      return;
    }
    const manifests = rest.lastIndexOf('/manifests/');
    if (manifests > 0) {
      const kind: RequestKind | undefined =
        method === 'GET'
          ? 'manifest-get'
          : head
            ? 'manifest-head'
            : method === 'DELETE'
              ? 'delete'
              : undefined;
      if (kind === undefined) this.other += 1;
      else this.count(kind);
      const repository = this.model.repositoryIndex(rest.slice(0, manifests));
      const reference = rest.slice(manifests + '/manifests/'.length);
      if (repository < 0) fail(404, ERRORS.name);
      else if (kind === 'delete') this.delete(repository, reference, answer, fail);
      else if (kind === undefined) fail(405, ERRORS.unsupported);
      else this.manifest(repository, reference, head, answer, fail);
      return;
    }
    if (rest.includes('/referrers/') && method === 'GET') {
      // distribution 2.8 has no referrers API: a 404 says so.
      this.count('referrers');
      fail(404, ERRORS.notFound);
      return;
    }
    const blobs = rest.lastIndexOf('/blobs/');
    if (blobs > 0 && (method === 'GET' || head)) {
      if (head) this.other += 1;
      else this.count('blob');
      const repository = this.model.repositoryIndex(rest.slice(0, blobs));
      if (repository < 0) fail(404, ERRORS.name);
      else this.blob(repository, rest.slice(blobs + '/blobs/'.length), head, answer, fail);
      return;
    }
    this.other += 1;
    fail(404, ERRORS.notFound);
  };

  private count(kind: RequestKind): void {
    this.counts[kind] += 1;
  }

  private duplicate(seen: BitSet, index: number): void {
    if (seen.testAndAdd(index)) this.duplicates += 1;
  }

  /** Registry-wide position of a code: the common images are one image in every repository. */
  private owned(repository: number, code: number): number {
    const owner = this.model.isCommon(Math.floor(code / ROLES)) ? 0 : repository;
    return owner * this.codesPerRepository + code;
  }

  private isDeleted(repository: number, code: number): boolean {
    return this.deleted.has(repository * this.codesPerRepository + code);
  }

  private catalog(query: string, answer: Answer, fail: Fail): void {
    const params = new URLSearchParams(query);
    const n = params.has('n') ? Number(params.get('n')) : DEFAULT_PAGE;
    if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE) {
      fail(400, ERRORS.page);
      return;
    }
    const order = this.model.catalogOrder;
    const names = this.model.names;
    const last = params.get('last');
    let start = 0;
    if (last !== null) {
      // First name after `last` in code-point order.
      let high = order.length;
      while (start < high) {
        const middle = (start + high) >>> 1;
        if ((names[order[middle] ?? 0] ?? '') <= last) start = middle + 1;
        else high = middle;
      }
    }
    const page = order.slice(start, start + n).map((index) => names[index] ?? '');
    const headers: OutgoingHttpHeaders = { 'content-type': 'application/json; charset=utf-8' };
    const lastName = page.at(-1);
    if (start + n < order.length && lastName !== undefined) {
      headers['link'] =
        `</v2/_catalog?last=${encodeURIComponent(lastName)}&n=${String(n)}>; rel="next"`;
    }
    answer(200, headers, Buffer.from(JSON.stringify({ repositories: page })));
  }

  /** Every tag at once, as distribution 2.8 does (it ignores `n`); null when none is left. */
  private tagsList(repository: number): Buffer {
    const tags: string[] = [];
    for (let tag = 0; tag < this.model.tagsPerRepository; tag++) {
      const slot = this.model.slotOfTag(repository, tag);
      if (!this.isDeleted(repository, slot * ROLES + ROLE.manifest)) {
        tags.push(this.model.tagName(tag));
      }
    }
    const name = this.model.names[repository] ?? '';
    return Buffer.from(JSON.stringify({ name, tags: tags.length === 0 ? null : tags }));
  }

  private manifest(
    repository: number,
    reference: string,
    head: boolean,
    answer: Answer,
    fail: Fail,
  ): void {
    let code: number;
    let content: BuiltContent | undefined;
    if (reference.startsWith('sha256:')) {
      const found = this.digests.find(repository, reference);
      if (found === undefined || !isManifestRole(found.code % ROLES)) {
        fail(404, ERRORS.manifest);
        return;
      }
      ({ code, content } = found);
      this.duplicate(head ? this.seenDigestHead : this.seenDigestGet, this.owned(repository, code));
    } else {
      const tag = this.model.tagIndex(reference);
      if (tag < 0) {
        fail(404, ERRORS.manifest);
        return;
      }
      const seen = head ? this.seenTagHead : this.seenTagGet;
      this.duplicate(seen, repository * this.model.tagsPerRepository + tag);
      code = this.model.slotOfTag(repository, tag) * ROLES + ROLE.manifest;
      content = undefined;
    }
    if (this.isDeleted(repository, code)) {
      fail(404, ERRORS.manifest);
      return;
    }
    const rendered = content ?? render(this.model.image(repository, Math.floor(code / ROLES)));
    const manifest = blobOf(rendered, code % ROLES);
    if (manifest === undefined) {
      fail(404, ERRORS.manifest);
      return;
    }
    answer(
      200,
      {
        'content-type': manifest.mediaType,
        'docker-content-digest': manifest.digest,
        etag: `"${manifest.digest}"`,
      },
      manifest.bytes,
    );
  }

  /**
   * distribution 2.8.2: a tag is refused (400), an unknown or already deleted manifest is 404,
   * a config digest is 202 and deletes nothing.
   */
  private delete(repository: number, reference: string, answer: Answer, fail: Fail): void {
    if (!reference.startsWith('sha256:')) {
      fail(400, ERRORS.digest);
      return;
    }
    const found = this.digests.find(repository, reference);
    if (found === undefined) {
      fail(404, ERRORS.manifest);
      return;
    }
    if (isManifestRole(found.code % ROLES)) {
      const at = repository * this.codesPerRepository + found.code;
      if (this.deleted.testAndAdd(at)) {
        fail(404, ERRORS.manifest);
        return;
      }
    }
    answer(202, {}, Buffer.alloc(0));
  }

  private blob(
    repository: number,
    digest: string,
    head: boolean,
    answer: Answer,
    fail: Fail,
  ): void {
    const octets = { 'content-type': 'application/octet-stream', 'docker-content-digest': digest };
    if (digest === SHARED_LAYER.digest) {
      if (!head && this.seenLayer) this.duplicates += 1;
      this.seenLayer ||= !head;
      answer(200, octets, SHARED_LAYER.bytes);
      return;
    }
    const found = this.digests.find(repository, digest);
    const bytes = found === undefined ? undefined : blobOf(found.content, found.code % ROLES);
    if (found === undefined || bytes === undefined) {
      fail(404, ERRORS.blob);
      return;
    }
    if (!head) this.duplicate(this.seenBlob, this.owned(repository, found.code));
    answer(200, octets, bytes.bytes);
  }
}

type Answer = (status: number, headers: OutgoingHttpHeaders, body: Buffer) => void;
type Fail = (status: number, body: Buffer) => void;

function emptyCounts(): RequestCounts {
  return Object.fromEntries(REQUEST_KINDS.map((kind) => [kind, 0])) as RequestCounts;
}
