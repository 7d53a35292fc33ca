import { createCipheriv, createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { MEDIA_TYPES, type ImageFormat } from './media-types.js';
import { tarWithOneFile } from './tiny-tar.js';

/** Content-addressed bytes: a blob or a manifest. */
export interface Content {
  mediaType: string;
  digest: string;
  bytes: Buffer;
}

export interface SyntheticImage {
  config: Content;
  layer: Content;
  manifest: Content;
}

export interface SyntheticImageSpec {
  format: ImageFormat;
  /** null: a config without `created` (some build tools omit it). Strings are used verbatim. */
  created: Date | string | null;
  /** Different seeds give different layers, hence different configs and manifest digests. */
  seed: string;
  architecture?: string;
  os?: string;
  /** Extra incompressible bytes in the layer (default none), derived from the seed. */
  layerBytes?: number;
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function content(mediaType: string, value: Buffer | object): Content {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value));
  return { mediaType, digest: sha256Digest(bytes), bytes };
}

function descriptor(item: Content): { mediaType: string; size: number; digest: string } {
  return { mediaType: item.mediaType, size: item.bytes.length, digest: item.digest };
}

/**
 * `length` bytes that look random (gzip cannot shrink them) and depend only on `seed`: AES-CTR
 * over zeros with a key derived from the seed, fast even for megabytes.
 */
function filler(seed: string, length: number): Buffer {
  const key = createHash('sha256').update(`filler|${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}

/** One small, deterministic single-layer image. */
export function buildImage(spec: SyntheticImageSpec): SyntheticImage {
  const types = MEDIA_TYPES[spec.format];
  const text = Buffer.from(`reg-cleaner synthetic layer\nseed: ${spec.seed}\n`);
  const extra = spec.layerBytes ?? 0;
  const tar = tarWithOneFile(
    'seed.txt',
    extra > 0 ? Buffer.concat([text, filler(spec.seed, extra)]) : text,
  );
  const layer = content(types.layer, gzipSync(tar));
  const created = spec.created instanceof Date ? spec.created.toISOString() : spec.created;
  const config = content(types.config, {
    architecture: spec.architecture ?? 'amd64',
    os: spec.os ?? 'linux',
    ...(created === null ? {} : { created }),
    // diff_ids name the uncompressed layer, as in a real image config.
    rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] },
    config: {},
    // One history entry per layer, like a real build: distribution needs it to down-convert the
    // manifest to schema1 for a client that does not accept schema2 (else 400 MANIFEST_INVALID).
    history: [
      {
        ...(created === null ? {} : { created }),
        created_by: `reg-cleaner synthetic layer ${spec.seed}`,
      },
    ],
  });
  const manifest = content(types.manifest, {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: descriptor(config),
    layers: [descriptor(layer)],
  });
  return { config, layer, manifest };
}

export interface IndexEntry {
  manifest: Content;
  architecture: string;
  os: string;
}

/** A multi-platform index (OCI) or manifest list (docker) over already built manifests. */
export function buildIndex(format: ImageFormat, entries: readonly IndexEntry[]): Content {
  const mediaType = MEDIA_TYPES[format].index;
  return content(mediaType, {
    schemaVersion: 2,
    mediaType,
    manifests: entries.map((entry) => ({
      ...descriptor(entry.manifest),
      platform: { architecture: entry.architecture, os: entry.os },
    })),
  });
}
