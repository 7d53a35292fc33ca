/**
 * Accessories (behaviour.md section 3a): signatures, attestations, SBOMs and other OCI
 * referrers belong to the image they name (their subject). They are found by tag name (cosign's
 * `sha256-<hex>.sig|.att|.sbom`, the OCI referrers fallback tag `sha256-<hex>`) and, on
 * registries that have it, by the referrers API. They are never matched, counted or aged as
 * tags: cosign signature configs say `created: 0001-01-01`, so every signature would look
 * ancient.
 */

/**
 * `sha256-<64 hex>` (the OCI referrers tag schema for a sha256 digest) optionally followed by
 * `.<suffix>` (cosign's tag-based discovery: `.sig`, `.att`, `.sbom`, and whatever suffix a
 * later cosign adds). Any suffix counts: a tag of this shape is an accessory by its name.
 */
const ACCESSORY_TAG = /^sha256-([0-9a-f]{64})(?:\.([A-Za-z0-9_-]+))?$/;

/** What an accessory tag's name says about it. */
export interface AccessoryTagName {
  /** The digest of the manifest it belongs to, `sha256:<hex>`. */
  readonly subject: string;
  /** `fallback` for the referrers tag schema, else cosign's suffix (`sig`, `att`, `sbom`...). */
  readonly kind: string;
}

/** The subject an accessory tag names, or undefined for an ordinary tag. */
export function parseAccessoryTag(tag: string): AccessoryTagName | undefined {
  const match = ACCESSORY_TAG.exec(tag);
  const hex = match?.[1];
  if (hex === undefined) return undefined;
  return { subject: `sha256:${hex}`, kind: match?.[2] ?? 'fallback' };
}

export function isAccessoryTag(tag: string): boolean {
  return ACCESSORY_TAG.test(tag);
}

/** The referrers fallback tag of a digest (OCI distribution spec, "Referrers Tag Schema"). */
export function fallbackTagOf(digest: string): string | undefined {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  return match?.[1] === undefined ? undefined : `sha256-${match[1]}`;
}

/** An accessory tag of a repository and where it points. */
export interface AccessoryTag {
  readonly tag: string;
  readonly subject: string;
  /** undefined when it could not be read. */
  readonly digest: string | undefined;
}

/**
 * The accessory tags of a repository grouped by the digest they belong to. A subject's
 * accessories are found from its digest; an accessory's own accessories (the signature of an
 * SBOM) from the accessory's digest, so the caller walks these groups transitively.
 */
export function accessoryTagsBySubject(
  tags: readonly AccessoryTag[],
): ReadonlyMap<string, readonly AccessoryTag[]> {
  const bySubject = new Map<string, AccessoryTag[]>();
  for (const tag of tags) {
    const list = bySubject.get(tag.subject) ?? [];
    list.push(tag);
    bySubject.set(tag.subject, list);
  }
  return bySubject;
}
