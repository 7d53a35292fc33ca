import { createHash } from 'node:crypto';

// The content model of the loopback OCI registry (oci-registry.ts), written from the OCI
// distribution spec's text and the image spec's manifest and index shapes. Nothing here knows
// the cleaner: it stores what clients push and answers what the spec says a registry answers.

/** `algorithm:encoded` as the spec's "digest" grammar allows (sha256 and sha512 checked). */
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

export function isDigest(reference: string): boolean {
  return DIGEST.test(reference);
}

export function isTag(reference: string): boolean {
  return TAG.test(reference);
}

export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface StoredManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
  /** What the manifest names in `subject`, if anything. */
  readonly subject: string | undefined;
  readonly artifactType: string | undefined;
  /** `config.mediaType` of an image manifest: the referrers descriptor's fallback artifactType. */
  readonly configMediaType: string | undefined;
  readonly annotations: Record<string, string> | undefined;
  /** Blobs (config, layers) and child manifests (index entries) it references. */
  readonly blobs: readonly string[];
  readonly children: readonly string[];
}

interface Descriptor {
  readonly digest?: unknown;
}

interface ManifestShape {
  readonly mediaType?: unknown;
  readonly artifactType?: unknown;
  readonly config?: { readonly mediaType?: unknown; readonly digest?: unknown };
  readonly layers?: readonly Descriptor[];
  readonly manifests?: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Record<string, string>;
}

/** Why a PUT was refused, as the spec's error codes name it. */
export class PushRefused extends Error {
  constructor(
    readonly code: 'MANIFEST_INVALID' | 'MANIFEST_BLOB_UNKNOWN' | 'DIGEST_INVALID',
    message: string,
  ) {
    super(message);
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function digests(list: readonly Descriptor[] | undefined): string[] {
  return (list ?? []).map((entry) => text(entry.digest)).filter((d) => d !== undefined);
}

/** Parses a pushed manifest; `contentType` is the PUT's Content-Type header. */
export function parseManifest(bytes: Buffer, contentType: string | undefined): StoredManifest {
  let shape: ManifestShape | null;
  try {
    shape = JSON.parse(bytes.toString('utf8')) as ManifestShape | null;
  } catch {
    throw new PushRefused('MANIFEST_INVALID', 'the manifest is not JSON');
  }
  if (typeof shape !== 'object' || shape === null) {
    throw new PushRefused('MANIFEST_INVALID', 'the manifest is not a JSON object');
  }
  const declared = text(shape.mediaType);
  // The spec: the Content-Type of the PUT is the manifest's media type, and a `mediaType`
  // field, where present, must agree with it.
  const mediaType = contentType ?? declared;
  if (mediaType === undefined) {
    throw new PushRefused('MANIFEST_INVALID', 'no Content-Type and no mediaType field');
  }
  if (declared !== undefined && declared !== mediaType) {
    throw new PushRefused(
      'MANIFEST_INVALID',
      `mediaType ${declared} but Content-Type ${mediaType}`,
    );
  }
  const config = text(shape.config?.digest);
  return {
    digest: digestOf(bytes),
    mediaType,
    bytes,
    subject: text(shape.subject?.digest),
    artifactType: text(shape.artifactType),
    configMediaType: text(shape.config?.mediaType),
    annotations: shape.annotations,
    blobs: [...(config === undefined ? [] : [config]), ...digests(shape.layers)],
    children: digests(shape.manifests),
  };
}

export interface ReferrerDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Record<string, string>;
}

/** One repository: blobs, manifests by digest, tags, open upload sessions. */
export class OciRepository {
  readonly blobs = new Map<string, Buffer>();
  readonly manifests = new Map<string, StoredManifest>();
  readonly tags = new Map<string, string>();
  readonly uploads = new Map<string, Buffer[]>();

  /**
   * Stores a manifest (and tags it). Referenced blobs and child manifests must be here; the
   * `subject` need not be (the spec: a registry SHOULD accept a manifest whose subject is missing).
   */
  put(manifest: StoredManifest, tag: string | undefined): void {
    const missing =
      manifest.blobs.find((digest) => !this.blobs.has(digest)) ??
      manifest.children.find((digest) => !this.manifests.has(digest));
    if (missing !== undefined) {
      throw new PushRefused('MANIFEST_BLOB_UNKNOWN', `${missing} is not in the repository`);
    }
    this.manifests.set(manifest.digest, manifest);
    if (tag !== undefined) this.tags.set(tag, manifest.digest);
  }

  resolve(reference: string): StoredManifest | undefined {
    const digest = isDigest(reference) ? reference : this.tags.get(reference);
    return digest === undefined ? undefined : this.manifests.get(digest);
  }

  /** "Deleting Manifests": the manifest goes, and every tag pointing at it. */
  deleteManifest(digest: string): boolean {
    if (!this.manifests.delete(digest)) return false;
    for (const [tag, target] of [...this.tags]) if (target === digest) this.tags.delete(tag);
    return true;
  }

  /** Tags in lexical order, after `last` when given ("Listing Tags"). */
  sortedTags(last: string | undefined): string[] {
    const all = [...this.tags.keys()].sort();
    return last === undefined ? all : all.filter((tag) => tag > last);
  }

  /**
   * "Listing Referrers": a descriptor of every manifest whose `subject` is `digest`, with its
   * artifactType (or, for an image manifest without one, its config's media type; for an
   * index without one, none) and all its annotations.
   */
  referrers(digest: string): ReferrerDescriptor[] {
    const found: ReferrerDescriptor[] = [];
    for (const manifest of this.manifests.values()) {
      if (manifest.subject !== digest) continue;
      const isIndex = manifest.children.length > 0 || manifest.mediaType.includes('index');
      const artifactType =
        manifest.artifactType ?? (isIndex ? undefined : manifest.configMediaType);
      found.push({
        mediaType: manifest.mediaType,
        digest: manifest.digest,
        size: manifest.bytes.length,
        ...(artifactType === undefined ? {} : { artifactType }),
        ...(manifest.annotations === undefined ? {} : { annotations: manifest.annotations }),
      });
    }
    return found;
  }
}
