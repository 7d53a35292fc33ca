import type { Registry, RepositoryAccess } from '../../src/application/ports/registry.port.js';
import { RegistryError } from '../../src/application/ports/registry.port.js';
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
  readonly method: 'listRepositories' | 'listTags' | 'inspectTag' | 'digestOf' | 'deleteManifest';
  readonly repository?: string;
  readonly reference?: string;
  readonly access?: RepositoryAccess;
}

/**
 * A registry held in memory, with the one behaviour that matters for safety: deleting a
 * digest removes every tag on it. Faults are scripted per tag or repository.
 */
export class InMemoryRegistry implements Registry {
  readonly calls: RecordedCall[] = [];
  private readonly repositories = new Map<string, Map<string, StoredImage>>();
  private readonly failingTags = new Set<string>();
  private readonly failingRepositories = new Map<string, RegistryError>();
  private catalogError: RegistryError | undefined;
  private deleteError: RegistryError | undefined;
  private readonly warnings: string[] = [];

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
    return this;
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
    let found = false;
    for (const [tag, image] of repo ?? []) {
      if (image.digest === digest) {
        repo?.delete(tag);
        found = true;
      }
    }
    return Promise.resolve(found ? 'deleted' : 'already-gone');
  }
}
