import type { ManifestCopy, ManifestWithChildren } from '../../domain/deletion-journal.js';
import type { UntagMechanism } from '../../domain/job-report.js';
import type { TagPointer, TagResolution } from '../../domain/tag.js';

/**
 * What the caller is about to do with a repository. Token registries grant scopes per
 * action: a dry run asks only for `pull`, a real run for `pull,delete` from the start so that
 * one token serves the whole repository, a restore for `pull,push`.
 */
export type RepositoryAccess = 'read' | 'delete' | 'untag' | 'restore';

/** A blob of a placeholder manifest, uploaded before the manifest is PUT. */
export interface PlaceholderBlob {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
}

/**
 * A unique, tiny manifest prepared (no request sent) to move one tag onto, so that deleting it
 * by digest removes that tag alone (issue 21). Its digest is journaled before any write.
 */
export interface Placeholder {
  readonly manifest: ManifestCopy;
  readonly blobs: readonly PlaceholderBlob[];
}

/** What removing one tag alone did. */
export type TagRemoval =
  | { readonly status: 'removed'; readonly mechanism: UntagMechanism }
  /** The tag did not exist any more: nothing was written. */
  | { readonly status: 'already-gone' }
  /** The tag points elsewhere than expected (pushed again): it is left as it is. */
  | { readonly status: 'moved'; readonly digest: string };

/** A blob an image manifest needs: without it the registry refuses the manifest. */
export interface BlobReference {
  readonly digest: string;
  /** `config` or `layer`, for messages. */
  readonly role: 'config' | 'layer';
}

/** A Docker Registry HTTP API v2 / OCI distribution registry, in domain terms. */
export interface Registry {
  /**
   * The most requests it has on the wire at once (`max_concurrent_requests`): a caller that
   * holds work back still keeps at least this much under way, or the connection idles.
   */
  readonly concurrency: number;
  /**
   * Warnings about how the registry is reached that hold for every run (e.g. TLS verification
   * turned off); logged at the start of each job run so that a long watch never hides them.
   */
  standingWarnings(): readonly string[];
  /** Every repository name of the catalog (all pages). Only called when a job uses `r/<regex>/`. */
  listRepositories(): Promise<string[]>;
  /** Every tag of a repository (all pages); an empty list when it has none. */
  listTags(repository: string, access: RepositoryAccess): Promise<string[]>;
  /**
   * The digest, kind and creation date of a tag. Request failures after retries are returned
   * as `{status: 'failed'}` rather than thrown, so that one bad tag does not end the job;
   * errors that concern the whole registry (auth refused) are thrown as RegistryError.
   */
  inspectTag(repository: string, tag: string, access: RepositoryAccess): Promise<TagResolution>;
  /**
   * Only where a tag points (cheaper: no config blob): its digest, and for an index its
   * platform manifests, which a kept index protects. Throws RegistryError.
   */
  digestOf(repository: string, tag: string, access: RepositoryAccess): Promise<TagPointer>;
  /**
   * Deletes a manifest by digest. 'deleted' for 202, 'already-gone' for 404.
   * Throws RegistryError: kind 'unsupported' (405, deletion disabled), 'auth'/'forbidden'.
   */
  deleteManifest(repository: string, digest: string): Promise<'deleted' | 'already-gone'>;
  /**
   * The exact bytes of a manifest, and for an index those of every manifest it lists: what a
   * deletion journal keeps. Bytes this process already received for the digest are used again
   * (a cold run read them while inspecting); otherwise one GET per manifest, each checked
   * against its digest. Throws RegistryError.
   */
  manifestCopy(
    repository: string,
    digest: string,
    access: RepositoryAccess,
  ): Promise<ManifestWithChildren>;
  /**
   * Where a tag points now, asked of the registry itself (no cache); undefined when the tag does
   * not exist. Throws RegistryError.
   */
  currentDigest(
    repository: string,
    tag: string,
    access: RepositoryAccess,
  ): Promise<string | undefined>;
  /**
   * The blobs (config, layers) an image manifest references; none for an index. No request is
   * sent. Throws RegistryError 'invalid-response' for bytes that are no manifest.
   */
  blobsOf(manifest: ManifestCopy): readonly BlobReference[];
  /** Whether the repository still holds the blob (HEAD). Throws RegistryError. */
  blobExists(repository: string, digest: string, access: RepositoryAccess): Promise<boolean>;
  /**
   * A write: PUTs manifest bytes under a tag, or by digest. Resolves to the digest the registry
   * says it stored. Throws RegistryError (e.g. a blob it no longer holds).
   */
  putManifest(repository: string, reference: string, manifest: ManifestCopy): Promise<string>;
  /** A placeholder for `tag`, of the family (OCI or Docker) of `originalMediaType`. No request. */
  placeholderFor(tag: string, originalMediaType: string, at: Date): Placeholder;
  /**
   * Removes `tag` alone if it still points at `expected` (issue 21): with the OCI tag DELETE
   * where the registry has it (found once, with throwaway tags on a placeholder, and kept in the
   * registry cache), otherwise by PUTting `placeholder` at the tag, checking the tag points at
   * it, and deleting it by digest. Before its first write in a repository it checks that DELETE
   * by digest is allowed there. Throws RegistryError; when the tag was left on the placeholder
   * the message says so (the caller journaled the placeholder: the next run finishes it).
   */
  removeTag(
    repository: string,
    tag: string,
    expected: string,
    placeholder: Placeholder,
  ): Promise<TagRemoval>;
  /**
   * The digests of the manifests whose `subject` is `digest`, from the OCI referrers API
   * (`GET /v2/<name>/referrers/<digest>`, every page). undefined when the registry has no such
   * API: it answered 404 once (the spec forbids a 404 from a registry that has it), after which
   * no further referrers request is sent. Throws RegistryError.
   */
  referrers(
    repository: string,
    digest: string,
    access: RepositoryAccess,
  ): Promise<readonly string[] | undefined>;
}
export const Registry = Symbol('Registry');

export type RegistryErrorKind =
  | 'auth'
  | 'forbidden'
  | 'not-found'
  | 'rate-limited'
  | 'unavailable'
  | 'unsupported'
  | 'invalid-response'
  | 'tls'
  /** The process is stopping (SIGINT/SIGTERM): the request was never sent. */
  | 'stopped';

/** A failure talking to the registry. Messages never contain credentials or tokens. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly kind: RegistryErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
