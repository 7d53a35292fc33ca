/** When an image was built (its config's `created`), or why that is not known. */
export type ImageDate =
  { readonly ok: true; readonly date: Date } | { readonly ok: false; readonly problem: string };

/** One platform image of a manifest list / OCI index, with its date. */
export interface PlatformDate {
  /** `linux/arm64/v8`, for messages. */
  readonly platform: string;
  readonly digest: string;
  readonly date: ImageDate;
}

/**
 * An index is as new as its newest platform image (behaviour.md section 2); attestation
 * manifests are not platforms and are not passed here. One undated platform makes the index
 * undated: "newest of the platforms" is then unknowable, and an undated tag is kept.
 */
export function indexDate(platforms: readonly PlatformDate[]): ImageDate {
  if (platforms.length === 0) {
    return {
      ok: false,
      problem: 'the index lists no platform image (only attestations or nothing)',
    };
  }
  let newest: Date | undefined;
  for (const { platform, digest, date } of platforms) {
    if (!date.ok)
      return { ok: false, problem: `platform ${platform} (${digest}): ${date.problem}` };
    if (newest === undefined || date.date > newest) newest = date.date;
  }
  return newest === undefined
    ? { ok: false, problem: 'the index has no dated platform image' }
    : { ok: true, date: newest };
}
