import { RegistryError, type BlobReference } from '../../../application/ports/registry.port.js';
import { isDigest } from '../../shared/digest.js';
import { baseMediaType, isImageMediaType, isIndexMediaType, MediaType } from './media-types.js';

/**
 * What a manifest needs to exist in its repository, read from its exact bytes. Unlike
 * manifest.ts (what a cleaner decides with), nothing is left out here: the registry checks
 * every descriptor of a manifest that is PUT, attestations included.
 */

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectOf(bytes: Uint8Array): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new RegistryError('invalid-response', 'the manifest is not valid JSON');
  }
  if (!isObject(parsed))
    throw new RegistryError('invalid-response', 'the manifest is not a JSON object');
  return parsed;
}

function descriptors(value: unknown, what: string): { digest: string; entry: JsonObject }[] {
  if (!Array.isArray(value))
    throw new RegistryError('invalid-response', `the manifest has no ${what} list`);
  return (value as unknown[]).map((entry) => {
    const digest = isObject(entry) ? entry['digest'] : undefined;
    if (!isObject(entry) || typeof digest !== 'string' || !isDigest(digest)) {
      throw new RegistryError(
        'invalid-response',
        `an entry of the manifest's ${what} has no valid digest`,
      );
    }
    return { digest, entry };
  });
}

/** The media type to PUT the bytes with: the registry's Content-Type, else the body's own. */
export function manifestMediaType(bytes: Uint8Array, contentType: string | undefined): string {
  const header = baseMediaType(contentType);
  if (isIndexMediaType(header) || isImageMediaType(header)) return header ?? '';
  const object = objectOf(bytes);
  const declared = object['mediaType'];
  if (typeof declared === 'string' && declared !== '') return declared;
  // OCI makes `mediaType` optional; the shape says which of the two it is.
  return Array.isArray(object['manifests']) ? MediaType.ociIndex : MediaType.ociManifest;
}

/** The manifests an index lists (every one: platform images and attestations); none for an image. */
export function listedManifests(bytes: Uint8Array): string[] {
  const object = objectOf(bytes);
  if (!Array.isArray(object['manifests'])) return [];
  return descriptors(object['manifests'], 'manifests').map(({ digest }) => digest);
}

/**
 * Blobs a foreign (Windows base) or non-distributable layer points at are not held by the
 * registry, and it does not check them when a manifest is PUT.
 */
function isForeign(entry: JsonObject): boolean {
  const mediaType = entry['mediaType'];
  return (
    Array.isArray(entry['urls']) ||
    (typeof mediaType === 'string' &&
      (mediaType.includes('.foreign.') || mediaType.includes('.nondistributable.')))
  );
}

/** The config and layers of an image manifest; none for an index. */
export function referencedBlobs(bytes: Uint8Array): BlobReference[] {
  const object = objectOf(bytes);
  if (Array.isArray(object['manifests'])) return [];
  const config = descriptors([object['config']], 'config').map(({ digest }) => ({
    digest,
    role: 'config' as const,
  }));
  const layers = object['layers'] === undefined ? [] : descriptors(object['layers'], 'layers');
  return [
    ...config,
    ...layers
      .filter(({ entry }) => !isForeign(entry))
      .map(({ digest }) => ({ digest, role: 'layer' as const })),
  ];
}
