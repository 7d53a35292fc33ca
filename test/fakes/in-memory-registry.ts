import { createHash } from 'node:crypto';
import type {
  BlobReference,
  Placeholder,
  Registry,
  RepositoryAccess,
  TagRemoval,
} from '../../src/application/ports/registry.port.js';
import { RegistryError } from '../../src/application/ports/registry.port.js';
import type { ManifestCopy, ManifestWithChildren } from '../../src/domain/deletion-journal.js';
import type { ManifestKind, TagPointer, TagResolution } from '../../src/domain/tag.js';

interface StoredImage {
  readonly digest: string;
  readonly kind: ManifestKind;
  /** Platform manifests of an index. */
  readonly children: readonly string[];
  /** null: the image has no usable `created`. */
  readonly created: Date | null;
}

export interface RecordedCall {
  readonly method:
    | 'listRepositories'
    | 'listTags'
    | 'inspectTag'
    | 'digestOf'
    | 'deleteManifest'
    | 'manifestCopy'
    | 'currentDigest'
    | 'blobExists'
    | 'putManifest'
    | 'referrers'
    | 'removeTag';
  readonly repository?: string;
  readonly reference?: string;
  readonly access?: RepositoryAccess;
}

const IMAGE_TYPE = 'application/vnd.oci.image.manifest.v1+json';
const INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';

/** The fake's manifest bytes: recognisable text that says which digest it is. */
export function fakeManifestBytes(digest: string): Buffer {
  return Buffer.from(`manifest of ${digest}`);
}

/**
 * A registry held in memory, with the one behaviour that matters for safety: deleting a
 * digest removes every tag on it. Faults are scripted per tag or repository. A manifest's
 * "blobs" are `<digest>/config` and `<digest>/layer`; garbageCollect() removes some.
 */
export class InMemoryRegistry implements Registry {
  /** As `max_concurrent_requests` by default; a test may set another. */
  concurrency = 20;
  readonly calls: RecordedCall[] = [];
  /** Every image ever pushed, by digest: what a PUT of its bytes puts back. */
  private readonly images = new Map<string, StoredImage>();
  private readonly collectedBlobs = new Set<string>();
  private readonly failingCopies = new Set<string>();
  /** Tags a PUT lands on another digest (a registry that misbehaves), by `repository:tag`. */
  private readonly misdirectedPuts = new Map<string, string>();
  private readonly repositories = new Map<string, Map<string, StoredImage>>();
  /** Manifests PUT by digest, held without a tag, by `repository@digest`. */
  private readonly heldByDigest = new Set<string>();
  private readonly failingTags = new Set<string>();
  private readonly failingRepositories = new Map<string, RegistryError>();
  private catalogError: RegistryError | undefined;
  private deleteError: RegistryError | undefined;
  private removeTagError: RegistryError | undefined;
  private readonly warnings: string[] = [];
  /** The referrers API's answers by subject digest; undefined: the registry has no such API. */
  private referrerLists: Map<string, readonly string[]> | undefined;

  /** Adds tags pointing at one digest (several tags = a shared digest). */
  push(
    repository: string,
    tags: readonly string[],
    image: {
      digest: string;
      created: Date | null;
      kind?: ManifestKind;
      children?: readonly string[];
    },
  ): this {
    const stored = {
      digest: image.digest,
      created: image.created,
      kind: image.kind ?? (image.children === undefined ? 'image' : 'index'),
      children: image.children ?? [],
    };
    const repo = this.repositories.get(repository) ?? new Map<string, StoredImage>();
    for (const tag of tags) repo.set(tag, stored);
    this.repositories.set(repository, repo);
    this.images.set(image.digest, stored);
    for (const child of stored.children) {
      if (!this.images.has(child)) {
        this.images.set(child, {
          digest: child,
          created: image.created,
          kind: 'image',
          children: [],
        });
      }
    }
    return this;
  }

  /** removeTag throws this (e.g. the placeholder's DELETE failed). */
  failRemoveTag(error: RegistryError): this {
    this.removeTagError = error;
    return this;
  }

  /** The garbage collector removed these blobs (e.g. `sha256:1/layer`). */
  garbageCollect(...blobs: string[]): this {
    for (const blob of blobs) this.collectedBlobs.add(blob);
    return this;
  }

  /** manifestCopy of this digest fails (e.g. the registry is unavailable). */
  failCopy(digest: string): this {
    this.failingCopies.add(digest);
    return this;
  }

  /** A PUT under `tag` makes it point at `digest` instead. */
  misdirectPut(repository: string, tag: string, digest: string): this {
    this.misdirectedPuts.set(`${repository}:${tag}`, digest);
    return this;
  }

  /** Where each tag of the repository points. */
  pointers(repository: string): Record<string, string> {
    return Object.fromEntries(
      [...(this.repositories.get(repository) ?? [])].map(([tag, image]) => [tag, image.digest]),
    );
  }

  failTag(repository: string, tag: string): this {
    this.failingTags.add(`${repository}:${tag}`);
    return this;
  }

  failRepository(repository: string, error: RegistryError): this {
    this.failingRepositories.set(repository, error);
    return this;
  }

  failCatalog(error = new RegistryError('forbidden', 'catalog refused', 403)): this {
    this.catalogError = error;
    return this;
  }

  failDeletes(error: RegistryError): this {
    this.deleteError = error;
    return this;
  }

  tagsOf(repository: string): string[] {
    return [...(this.repositories.get(repository)?.keys() ?? [])].sort();
  }

  deletedDigests(): string[] {
    return this.calls
      .filter((call) => call.method === 'deleteManifest')
      .map((call) => `${call.repository ?? ''}@${call.reference ?? ''}`);
  }

  standingWarnings(): readonly string[] {
    return this.warnings;
  }

  withStandingWarning(warning: string): this {
    this.warnings.push(warning);
    return this;
  }

  listRepositories(): Promise<string[]> {
    this.calls.push({ method: 'listRepositories' });
    if (this.catalogError !== undefined) return Promise.reject(this.catalogError);
    return Promise.resolve([...this.repositories.keys()].sort());
  }

  listTags(repository: string, access: RepositoryAccess): Promise<string[]> {
    this.calls.push({ method: 'listTags', repository, access });
    const failure = this.failingRepositories.get(repository);
    if (failure !== undefined) return Promise.reject(failure);
    const repo = this.repositories.get(repository);
    if (repo === undefined) {
      return Promise.reject(
        new RegistryError('not-found', `repository ${repository} not found`, 404),
      );
    }
    return Promise.resolve([...repo.keys()]);
  }

  inspectTag(repository: string, tag: string, access: RepositoryAccess): Promise<TagResolution> {
    this.calls.push({ method: 'inspectTag', repository, reference: tag, access });
    if (this.failingTags.has(`${repository}:${tag}`)) {
      return Promise.resolve({ status: 'failed', problem: 'scripted failure' });
    }
    const image = this.repositories.get(repository)?.get(tag);
    if (image === undefined) return Promise.resolve({ status: 'failed', problem: 'tag not found' });
    if (image.created === null) {
      return Promise.resolve({
        status: 'undated',
        digest: image.digest,
        kind: image.kind,
        problem: 'image has no created date',
        children: image.children,
      });
    }
    return Promise.resolve({
      status: 'resolved',
      digest: image.digest,
      kind: image.kind,
      created: image.created,
      children: image.children,
    });
  }

  digestOf(repository: string, tag: string, access: RepositoryAccess): Promise<TagPointer> {
    this.calls.push({ method: 'digestOf', repository, reference: tag, access });
    const image = this.repositories.get(repository)?.get(tag);
    if (this.failingTags.has(`${repository}:${tag}`) || image === undefined) {
      return Promise.reject(new RegistryError('unavailable', 'scripted failure'));
    }
    return Promise.resolve({ digest: image.digest, children: image.children });
  }

  deleteManifest(repository: string, digest: string): Promise<'deleted' | 'already-gone'> {
    this.calls.push({ method: 'deleteManifest', repository, reference: digest });
    if (this.deleteError !== undefined) return Promise.reject(this.deleteError);
    const repo = this.repositories.get(repository);
    let found = this.heldByDigest.delete(`${repository}@${digest}`);
    for (const [tag, image] of repo ?? []) {
      if (image.digest === digest) {
        repo?.delete(tag);
        found = true;
      }
    }
    return Promise.resolve(found ? 'deleted' : 'already-gone');
  }

  manifestCopy(
    repository: string,
    digest: string,
    access: RepositoryAccess,
  ): Promise<ManifestWithChildren> {
    this.calls.push({ method: 'manifestCopy', repository, reference: digest, access });
    if (this.failingCopies.has(digest)) {
      return Promise.reject(new RegistryError('unavailable', `scripted failure reading ${digest}`));
    }
    const image = this.images.get(digest);
    if (image === undefined) {
      return Promise.reject(new RegistryError('not-found', `manifest ${digest} not found`, 404));
    }
    return Promise.resolve({
      ...copyOf(image),
      children: image.children.map((child) => copyOf(this.images.get(child) ?? imageOf(child))),
    });
  }

  currentDigest(
    repository: string,
    tag: string,
    access: RepositoryAccess,
  ): Promise<string | undefined> {
    this.calls.push({ method: 'currentDigest', repository, reference: tag, access });
    if (this.failingTags.has(`${repository}:${tag}`)) {
      return Promise.reject(new RegistryError('unavailable', 'scripted failure'));
    }
    if (tag.startsWith('sha256:')) {
      // By digest: held while PUT by digest, or a tag (or a tagged index) still carries it.
      const held =
        this.heldByDigest.has(`${repository}@${tag}`) ||
        [...(this.repositories.get(repository)?.values() ?? [])].some(
          (image) => image.digest === tag || image.children.includes(tag),
        );
      return Promise.resolve(held ? tag : undefined);
    }
    return Promise.resolve(this.repositories.get(repository)?.get(tag)?.digest);
  }

  placeholderFor(tag: string, originalMediaType: string, at: Date): Placeholder {
    const bytes = Buffer.from(
      `placeholder of ${tag} at ${at.toISOString()} (${originalMediaType})`,
    );
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    return { manifest: { digest, mediaType: IMAGE_TYPE, bytes }, blobs: [] };
  }

  /** Removes the tag alone: the image stays for its other tags. */
  removeTag(
    repository: string,
    tag: string,
    expected: string,
    placeholder: Placeholder,
  ): Promise<TagRemoval> {
    this.calls.push({
      method: 'removeTag',
      repository,
      reference: `${tag} onto ${placeholder.manifest.digest}`,
    });
    if (this.removeTagError !== undefined) return Promise.reject(this.removeTagError);
    const repo = this.repositories.get(repository);
    const current = repo?.get(tag)?.digest;
    if (current === undefined) return Promise.resolve({ status: 'already-gone' });
    if (current !== expected) return Promise.resolve({ status: 'moved', digest: current });
    repo?.delete(tag);
    return Promise.resolve({ status: 'removed', mechanism: 'tag-delete' });
  }

  /** The registry answers the referrers API with these lists (by subject digest). */
  withReferrersApi(lists: Readonly<Record<string, readonly string[]>>): this {
    this.referrerLists = new Map(Object.entries(lists));
    return this;
  }

  referrers(
    repository: string,
    digest: string,
    access: RepositoryAccess,
  ): Promise<readonly string[] | undefined> {
    this.calls.push({ method: 'referrers', repository, reference: digest, access });
    if (this.referrerLists === undefined) return Promise.resolve(undefined);
    return Promise.resolve(this.referrerLists.get(digest) ?? []);
  }

  blobsOf(manifest: ManifestCopy): readonly BlobReference[] {
    if (manifest.mediaType === INDEX_TYPE) return [];
    return [
      { digest: `${manifest.digest}/config`, role: 'config' },
      { digest: `${manifest.digest}/layer`, role: 'layer' },
    ];
  }

  blobExists(repository: string, digest: string, access: RepositoryAccess): Promise<boolean> {
    this.calls.push({ method: 'blobExists', repository, reference: digest, access });
    return Promise.resolve(!this.collectedBlobs.has(digest));
  }

  putManifest(repository: string, reference: string, manifest: ManifestCopy): Promise<string> {
    this.calls.push({ method: 'putManifest', repository, reference });
    const image = this.images.get(manifest.digest);
    if (image === undefined || !fakeManifestBytes(manifest.digest).equals(manifest.bytes)) {
      return Promise.reject(new RegistryError('invalid-response', 'PUT of unknown bytes'));
    }
    const gone = this.blobsOf(manifest).find((blob) => this.collectedBlobs.has(blob.digest));
    if (gone !== undefined) {
      return Promise.reject(
        new RegistryError('invalid-response', `MANIFEST_BLOB_UNKNOWN ${gone.digest}`, 400),
      );
    }
    if (reference.startsWith('sha256:')) {
      this.heldByDigest.add(`${repository}@${reference}`);
    } else {
      const misdirected = this.misdirectedPuts.get(`${repository}:${reference}`);
      const stored = misdirected === undefined ? image : (this.images.get(misdirected) ?? image);
      const repo = this.repositories.get(repository) ?? new Map<string, StoredImage>();
      repo.set(reference, stored);
      this.repositories.set(repository, repo);
    }
    return Promise.resolve(manifest.digest);
  }
}

function imageOf(digest: string): StoredImage {
  return { digest, created: null, kind: 'image', children: [] };
}

function copyOf(image: StoredImage): ManifestCopy {
  return {
    digest: image.digest,
    mediaType: image.kind === 'index' ? INDEX_TYPE : IMAGE_TYPE,
    bytes: fakeManifestBytes(image.digest),
  };
}
