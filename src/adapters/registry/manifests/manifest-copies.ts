import { inject, injectable } from 'inversify';
import { RegistryError, type RepositoryAccess } from '../../../application/ports/registry.port.js';
import type { ManifestCopy, ManifestWithChildren } from '../../../domain/deletion-journal.js';
import { isDigest, matchesDigest, sha256Digest } from '../../shared/digest.js';
import { listedManifests, manifestMediaType } from './manifest-references.js';
import {
  digestFromResponse,
  MANIFEST_HEADERS,
  manifestBodyProblem,
  RepositorySend,
} from './manifest-resolver.js';
import { RecentManifests } from './recent-manifests.js';
import { RegistryBaseUrl } from '../registry-settings.js';
import { blobUrl, manifestUrl } from '../registry-urls.js';
import { statusError } from '../transport/status-error.js';

/**
 * The requests of undo (issue 16): the exact bytes of a manifest about to be deleted, and for a
 * restore where a tag points, whether a blob is still there and the PUT of manifest bytes.
 */
@injectable()
export class ManifestCopies {
  /** GETs by digest in flight: content is addressed by digest, the same in every repository. */
  private readonly reading = new Map<string, Promise<ManifestCopy>>();

  constructor(
    @inject(RepositorySend) private readonly send: RepositorySend,
    @inject(RegistryBaseUrl) private readonly baseUrl: string,
    @inject(RecentManifests) private readonly recent: RecentManifests,
  ) {}

  /** The manifest and, for an index, every manifest it lists; each from memory or one GET. */
  async copy(
    repository: string,
    digest: string,
    access: RepositoryAccess,
  ): Promise<ManifestWithChildren> {
    const manifest = await this.bytesOf(repository, digest, access);
    const children = await Promise.all(
      listedManifests(manifest.bytes).map((child) => this.bytesOf(repository, child, access)),
    );
    return { ...manifest, children };
  }

  /** HEAD by tag; a registry that answers HEAD without a digest is asked with a GET. */
  async currentDigest(
    repository: string,
    tag: string,
    access: RepositoryAccess,
  ): Promise<string | undefined> {
    const url = manifestUrl(this.baseUrl, repository, tag);
    const head = await this.send(
      { kind: 'manifest-head', method: 'HEAD', url, headers: MANIFEST_HEADERS },
      repository,
      access,
    );
    if (head.status === 404) return undefined;
    const header = head.headers['docker-content-digest']?.trim();
    if (head.status === 200 && header !== undefined && isDigest(header)) return header;
    if (head.status !== 200 && head.status !== 405) {
      throw statusError(head, `HEAD manifest ${repository}:${tag}`);
    }
    const get = await this.send(
      {
        kind: 'manifest-get',
        method: 'GET',
        url,
        headers: MANIFEST_HEADERS,
        checkBody: (answer) => manifestBodyProblem(answer, tag),
      },
      repository,
      access,
    );
    if (get.status === 404) return undefined;
    if (get.status !== 200) throw statusError(get, `GET manifest ${repository}:${tag}`);
    return digestFromResponse(get);
  }

  async blobExists(repository: string, digest: string, access: RepositoryAccess): Promise<boolean> {
    const response = await this.send(
      {
        kind: 'blob-head',
        method: 'HEAD',
        url: blobUrl(this.baseUrl, repository, digest),
        followRedirects: true,
      },
      repository,
      access,
    );
    if (response.status === 200) return true;
    if (response.status === 404) return false;
    throw statusError(response, `HEAD blob ${repository}@${digest}`);
  }

  /** PUT under a tag or digest; the digest the registry says it stored. */
  async put(repository: string, reference: string, manifest: ManifestCopy): Promise<string> {
    const response = await this.send(
      {
        kind: 'manifest-put',
        method: 'PUT',
        url: manifestUrl(this.baseUrl, repository, reference),
        headers: { 'Content-Type': manifest.mediaType },
        body: manifest.bytes,
      },
      repository,
      'restore',
    );
    if (response.status === 401 || response.status === 403) {
      throw new RegistryError(
        response.status === 401 ? 'auth' : 'forbidden',
        `the registry refused to PUT ${repository}:${reference} (${response.status}): the account lacks push permission on ${repository}`,
        response.status,
      );
    }
    if (response.status !== 201 && response.status !== 200) {
      throw statusError(response, `PUT manifest ${repository}:${reference}`);
    }
    const header = response.headers['docker-content-digest']?.trim();
    return header !== undefined && isDigest(header) ? header : sha256Digest(manifest.bytes);
  }

  private async bytesOf(
    repository: string,
    digest: string,
    access: RepositoryAccess,
  ): Promise<ManifestCopy> {
    const known = this.recent.get(digest);
    if (known !== undefined && matchesDigest(known.bytes, digest)) {
      return {
        digest,
        mediaType: manifestMediaType(known.bytes, known.contentType),
        bytes: known.bytes,
      };
    }
    // An image shared by several repositories (a common base) is deleted in each of them at
    // about the same time: their journals wait for the one GET in flight instead of sending
    // their own (the benchmark's registry saw them as duplicates). If that GET fails (the
    // manifest may be gone from that repository only), this repository asks for itself.
    const pending = this.reading.get(digest);
    if (pending !== undefined) {
      try {
        return await pending;
      } catch {
        // asked below
      }
    }
    const read = this.read(repository, digest, access);
    this.reading.set(digest, read);
    try {
      return await read;
    } finally {
      if (this.reading.get(digest) === read) this.reading.delete(digest);
    }
  }

  private async read(
    repository: string,
    digest: string,
    access: RepositoryAccess,
  ): Promise<ManifestCopy> {
    const response = await this.send(
      {
        kind: 'manifest-get',
        method: 'GET',
        url: manifestUrl(this.baseUrl, repository, digest),
        headers: MANIFEST_HEADERS,
        checkBody: (answer) => manifestBodyProblem(answer, digest),
      },
      repository,
      access,
    );
    if (response.status === 404) {
      throw new RegistryError('not-found', `manifest ${repository}@${digest} not found`, 404);
    }
    if (response.status !== 200)
      throw statusError(response, `GET manifest ${repository}@${digest}`);
    if (!matchesDigest(response.body, digest)) {
      throw new RegistryError(
        'invalid-response',
        `the manifest served for ${repository}@${digest} does not match its digest`,
      );
    }
    const contentType = response.headers['content-type'];
    return {
      digest,
      mediaType: manifestMediaType(response.body, contentType),
      bytes: response.body,
    };
  }
}
