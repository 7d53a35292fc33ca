// Turns the data set into registry content: one layer shared by every image (seeding pushes it
// once per repository), a config per image (its `created` makes it unique), a manifest per
// image, an index over per-platform manifests. Deterministic: equal specs, equal digests.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { MEDIA_TYPES } from '../testkit/media-types.js';
import { tarWithOneFile } from '../testkit/tiny-tar.js';
import type { Dataset, ImageFormat, ImageSpec, RepositorySpec } from './dataset.js';

export interface Blob {
  readonly mediaType: string;
  readonly digest: string;
  readonly bytes: Buffer;
}

/** A single-platform image as pushed. */
export interface BuiltImage {
  readonly manifest: Blob;
  readonly config: Blob;
}

export type BuiltContent =
  | { readonly kind: 'image'; readonly manifest: Blob; readonly config: Blob }
  | { readonly kind: 'index'; readonly manifest: Blob; readonly children: readonly BuiltImage[] };

export interface BuiltRepository {
  readonly spec: RepositorySpec;
  /** By image key. */
  readonly content: ReadonlyMap<string, BuiltContent>;
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function blob(mediaType: string, value: Buffer | object): Blob {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value));
  return { mediaType, digest: sha256(bytes), bytes };
}

const LAYER_TAR = tarWithOneFile('bench.txt', Buffer.from('reg-cleaner benchmark layer\n'));
/** The one layer every benchmark image has (its bytes do not depend on the format). */
export const SHARED_LAYER: Blob = blob(MEDIA_TYPES.docker.layer, gzipSync(LAYER_TAR, { level: 9 }));
/** The layer's uncompressed digest, as configs list it. */
export const DIFF_ID = sha256(LAYER_TAR);

function descriptor(item: Blob): { mediaType: string; size: number; digest: string } {
  return { mediaType: item.mediaType, size: item.bytes.length, digest: item.digest };
}

function buildImage(format: ImageFormat, key: string, created: Date, arch: string): BuiltImage {
  const types = MEDIA_TYPES[format];
  const config = blob(types.config, {
    architecture: arch,
    os: 'linux',
    created: created.toISOString(),
    rootfs: { type: 'layers', diff_ids: [DIFF_ID] },
    config: { Labels: { 'org.example.bench': key } },
    history: [{ created: created.toISOString(), created_by: `bench ${key}` }],
  });
  const manifest = blob(types.manifest, {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: descriptor(config),
    layers: [{ ...descriptor(SHARED_LAYER), mediaType: types.layer }],
  });
  return { manifest, config };
}

export function buildContent(image: ImageSpec): BuiltContent {
  if (image.kind === 'image') {
    return { kind: 'image', ...buildImage(image.format, image.key, image.created, 'amd64') };
  }
  const children = image.platforms.map((platform) =>
    buildImage(image.format, `${image.key}/${platform.arch}`, platform.created, platform.arch),
  );
  const mediaType = MEDIA_TYPES[image.format].index;
  const manifest = blob(mediaType, {
    schemaVersion: 2,
    mediaType,
    manifests: children.map((child, index) => ({
      ...descriptor(child.manifest),
      platform: { architecture: image.platforms[index]?.arch ?? 'amd64', os: 'linux' },
    })),
  });
  return { kind: 'index', manifest, children };
}

export function buildDataset(dataset: Dataset): BuiltRepository[] {
  return dataset.repositories.map((spec) => ({
    spec,
    content: new Map([...spec.images].map(([key, image]) => [key, buildContent(image)])),
  }));
}
