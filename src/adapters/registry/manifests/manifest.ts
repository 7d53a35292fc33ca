import { RegistryError } from '../../../application/ports/registry.port.js';
import type { BlobSize, ManifestKind } from '../../../domain/tag.js';
import { isDigest } from '../../shared/digest.js';
import type { ImageDate } from '../../../domain/image-date.js';
import { parseImageDate } from './image-date.js';
import {
  baseMediaType,
  isImageMediaType,
  isIndexMediaType,
  isSchema1MediaType,
} from './media-types.js';

/** A platform image listed by an index / manifest list (attestations already left out). */
export interface IndexChild {
  readonly digest: string;
  readonly mediaType: string | undefined;
  /** `linux/arm64/v8`, for messages. */
  readonly platform: string;
}

/**
 * The parts of a manifest a cleaner needs. Immutable per digest, so it may be cached. The
 * sizes (`bytes`, `configSize`, `layers`) only feed the reports' reclaimable space; a size the
 * manifest does not state validly is 0 rather than a reason to distrust the manifest.
 */
export type ParsedManifest =
  | {
      readonly kind: Extract<ManifestKind, 'image'>;
      readonly mediaType: string;
      /** Byte length of the manifest body. */
      readonly bytes: number;
      readonly configDigest: string;
      readonly configSize: number;
      readonly layers: readonly BlobSize[];
    }
  | {
      readonly kind: Extract<ManifestKind, 'index'>;
      readonly mediaType: string;
      readonly bytes: number;
      readonly children: readonly IndexChild[];
    };

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

function invalid(message: string): RegistryError {
  return new RegistryError('invalid-response', message);
}

function parseJsonObject(body: Uint8Array, what: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw invalid(`the ${what} is not valid JSON`);
  }
  if (!isObject(parsed)) {
    throw invalid(`the ${what} is not a JSON object`);
  }
  return parsed;
}

/**
 * An attestation is not a platform image: BuildKit lists provenance/SBOM manifests in the
 * index with this annotation and platform unknown/unknown. Their config has no image date.
 */
function isAttestation(descriptor: JsonObject): boolean {
  const annotations = descriptor['annotations'];
  if (
    isObject(annotations) &&
    annotations['vnd.docker.reference.type'] === 'attestation-manifest'
  ) {
    return true;
  }
  const platform = descriptor['platform'];
  return (
    isObject(platform) && platform['os'] === 'unknown' && platform['architecture'] === 'unknown'
  );
}

function platformName(descriptor: JsonObject): string {
  const platform = descriptor['platform'];
  if (!isObject(platform)) {
    return 'unknown platform';
  }
  return ['os', 'architecture', 'variant']
    .map((key) => stringField(platform, key))
    .filter((part): part is string => part !== undefined && part !== '')
    .join('/');
}

/** A descriptor's `size`: a whole number of bytes, else 0 (see ParsedManifest). */
function sizeField(descriptor: JsonObject): number {
  const size = descriptor['size'];
  return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : 0;
}

/** Layers with a valid digest; anything else in the list is ignored (sizes are not safety). */
function parseLayers(object: JsonObject): BlobSize[] {
  const layers = object['layers'];
  if (!Array.isArray(layers)) return [];
  const parsed: BlobSize[] = [];
  for (const layer of layers as unknown[]) {
    if (!isObject(layer)) continue;
    const digest = stringField(layer, 'digest');
    if (digest !== undefined && isDigest(digest)) parsed.push({ digest, size: sizeField(layer) });
  }
  return parsed;
}

function parseIndex(object: JsonObject, mediaType: string, bytes: number): ParsedManifest {
  const manifests = object['manifests'];
  if (!Array.isArray(manifests)) {
    throw invalid('the index has no "manifests" array');
  }
  const children: IndexChild[] = [];
  for (const entry of manifests as unknown[]) {
    if (!isObject(entry)) {
      throw invalid('an entry of the index\'s "manifests" is not an object');
    }
    const digest = stringField(entry, 'digest');
    if (digest === undefined || !isDigest(digest)) {
      throw invalid('an entry of the index\'s "manifests" has no valid digest');
    }
    if (!isAttestation(entry)) {
      children.push({
        digest,
        mediaType: stringField(entry, 'mediaType'),
        platform: platformName(entry),
      });
    }
  }
  return { kind: 'index', mediaType, bytes, children };
}

function parseImage(object: JsonObject, mediaType: string, bytes: number): ParsedManifest {
  const config = object['config'];
  const configDigest = isObject(config) ? stringField(config, 'digest') : undefined;
  if (!isObject(config) || configDigest === undefined || !isDigest(configDigest)) {
    throw invalid('the image manifest has no valid config digest');
  }
  return {
    kind: 'image',
    mediaType,
    bytes,
    configDigest,
    configSize: sizeField(config),
    layers: parseLayers(object),
  };
}

/**
 * Parses a manifest body. The media type comes from the body's `mediaType`, else from the
 * Content-Type header, else from the shape (OCI makes `mediaType` optional). Schema 1 and
 * unknown types are RegistryError 'invalid-response'.
 */
export function parseManifest(body: Uint8Array, contentType: string | undefined): ParsedManifest {
  const object = parseJsonObject(body, 'manifest');
  const declared = stringField(object, 'mediaType') ?? baseMediaType(contentType);
  if (isSchema1MediaType(declared) || object['schemaVersion'] === 1) {
    throw invalid(
      'the manifest is in the deprecated schema 1 format (push the image again with a current client)',
    );
  }
  const bytes = body.byteLength;
  if (isIndexMediaType(declared)) {
    return parseIndex(object, declared ?? '', bytes);
  }
  if (isImageMediaType(declared)) {
    return parseImage(object, declared ?? '', bytes);
  }
  const generic =
    declared === undefined ||
    declared === 'application/json' ||
    declared === 'application/octet-stream';
  if (generic && Array.isArray(object['manifests'])) {
    return parseIndex(object, 'application/vnd.oci.image.index.v1+json', bytes);
  }
  if (generic && isObject(object['config'])) {
    return parseImage(object, 'application/vnd.oci.image.manifest.v1+json', bytes);
  }
  throw invalid(`unsupported manifest media type ${JSON.stringify(declared ?? 'none')}`);
}

/**
 * The creation date of an image config blob. A blob that is not a JSON object is
 * 'invalid-response'; a missing or unparseable `created` is a fact about the image (undated).
 */
export function parseConfigCreated(body: Uint8Array): ImageDate {
  return parseImageDate(parseJsonObject(body, 'image config')['created']);
}
