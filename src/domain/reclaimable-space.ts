import type { ManifestFootprint } from './tag.js';

/**
 * Bytes the registry's garbage collector can free once `removed` manifests are deleted from a
 * repository whose other manifests (`surviving`) stay (issue 10, "Space"):
 * - each removed manifest counts its own bytes, its config and layers, and for an index its
 *   platform manifests and their blobs;
 * - a blob or manifest that a surviving manifest (or a platform of a surviving index)
 *   references is not counted: the collector keeps it;
 * - every manifest and blob counts once, however many removed manifests reference it.
 * Blobs shared with other repositories are not known here and are counted: the figure is what
 * the collector can free when nothing outside the repository shares them. A surviving index
 * whose platforms were not read protects only what is known of it.
 */
export function reclaimableBytes(
  removed: readonly ManifestFootprint[],
  surviving: readonly ManifestFootprint[],
): number {
  const kept = new Set<string>();
  const markKept = (footprint: ManifestFootprint): void => {
    if (kept.has(footprint.digest)) return;
    kept.add(footprint.digest);
    for (const blob of footprint.blobs) kept.add(blob.digest);
    for (const platform of footprint.platforms ?? []) markKept(platform);
  };
  surviving.forEach(markKept);

  const counted = new Set<string>();
  let total = 0;
  const count = (footprint: ManifestFootprint): void => {
    if (kept.has(footprint.digest) || counted.has(footprint.digest)) return;
    counted.add(footprint.digest);
    total += sizeOf(footprint.bytes);
    for (const blob of footprint.blobs) {
      if (kept.has(blob.digest) || counted.has(blob.digest)) continue;
      counted.add(blob.digest);
      total += sizeOf(blob.size);
    }
    for (const platform of footprint.platforms ?? []) count(platform);
  };
  removed.forEach(count);
  return total;
}

/** A size a manifest states wrongly (negative, fractional, not a number) counts as nothing. */
function sizeOf(bytes: number): number {
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : 0;
}
