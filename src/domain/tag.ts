/** What a manifest digest points at. */
export type ManifestKind = 'image' | 'index';

/** A blob (image config or layer) that a manifest references, with its size in bytes. */
export interface BlobSize {
  readonly digest: string;
  readonly size: number;
}

/**
 * The storage a manifest holds in its repository: its own bytes, the blobs it references and,
 * for an index, its platform manifests. Content addressing makes this a permanent fact of the
 * digest; it is what the registry's garbage collector can free once the manifest is deleted and
 * nothing else references the blobs (see reclaimable-space.ts).
 */
export interface ManifestFootprint {
  readonly digest: string;
  /** Byte length of the manifest itself (it is stored as a blob too). */
  readonly bytes: number;
  /** Config and layers of an image; empty for an index. */
  readonly blobs: readonly BlobSize[];
  /**
   * The platform manifests of an index. Absent for an image, and for an index whose platform
   * manifests were not read (a tag that only had its digest looked up).
   */
  readonly platforms?: readonly ManifestFootprint[];
}

/**
 * What the registry told us about one tag.
 * - resolved: digest and creation date known.
 * - undated: the digest is known but the image has no usable `created` (a fact about the
 *   data: the tag is kept with a warning, the job still succeeds).
 * - failed: a request failed after its retries (the tag is kept, the job is recorded as failed).
 */
export type TagResolution =
  | {
      readonly status: 'resolved';
      readonly digest: string;
      readonly kind: ManifestKind;
      readonly created: Date;
      readonly children?: readonly string[];
      readonly footprint?: ManifestFootprint;
    }
  | {
      readonly status: 'undated';
      readonly digest: string;
      readonly kind: ManifestKind;
      readonly problem: string;
      readonly children?: readonly string[];
      readonly footprint?: ManifestFootprint;
    }
  | { readonly status: 'failed'; readonly problem: string };

/**
 * Where a tag points. `children` are the platform manifests of an index / manifest list
 * (empty for a single image): a kept index protects them from deletion through other tags.
 */
export interface TagPointer {
  readonly digest: string;
  readonly children: readonly string[];
  /** Sizes, when the manifest was read (or is cached): reclaimable space counts on them. */
  readonly footprint?: ManifestFootprint;
}

export interface InspectedTag {
  readonly repository: string;
  readonly tag: string;
  readonly resolution: TagResolution;
}

/** A tag that matches no pattern of the job: only its digest matters (shared-digest protection). */
export interface TagDigest {
  readonly repository: string;
  readonly tag: string;
  /** undefined when the digest could not be obtained. */
  readonly digest: string | undefined;
  /** Platform manifests when the tag is an index. */
  readonly children?: readonly string[];
  readonly footprint?: ManifestFootprint;
}

export function digestOf(resolution: TagResolution): string | undefined {
  return resolution.status === 'failed' ? undefined : resolution.digest;
}

/** `{children}` for an index with known platform manifests, `{}` otherwise (spread-friendly). */
export function childrenOf(resolution: TagResolution): { readonly children?: readonly string[] } {
  return resolution.status !== 'failed' && resolution.children !== undefined
    ? { children: resolution.children }
    : {};
}

export function createdOf(resolution: TagResolution): Date | undefined {
  return resolution.status === 'resolved' ? resolution.created : undefined;
}

/** `{footprint}` when the sizes of the tag's manifest are known, `{}` otherwise (spread-friendly). */
export function footprintOf(resolution: TagResolution): {
  readonly footprint?: ManifestFootprint;
} {
  return resolution.status !== 'failed' && resolution.footprint !== undefined
    ? { footprint: resolution.footprint }
    : {};
}
