// The bytes content.ts builds with JSON.stringify, put together from precomputed pieces instead:
// the synthetic server renders a manifest per request and must stay cheap. Byte-identical to
// buildContent (bench/synthetic-registry.test.ts checks it), so the floor computed from
// content.ts and the digests the server answers agree.
import { createHash } from 'node:crypto';
import { MEDIA_TYPES } from '../../testkit/media-types.js';
import {
  DIFF_ID,
  SHARED_LAYER,
  type Blob,
  type BuiltContent,
  type BuiltImage,
} from '../content.js';
import type { ImageFormat, ImageSpec } from '../dataset.js';

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function blob(mediaType: string, text: string): Blob {
  const bytes = Buffer.from(text);
  return { mediaType, digest: sha256(bytes), bytes };
}

interface FormatPieces {
  readonly config: string;
  readonly manifest: string;
  readonly index: string;
  readonly manifestHead: string;
  readonly manifestTail: string;
  readonly indexHead: string;
}

function pieces(format: ImageFormat): FormatPieces {
  const types = MEDIA_TYPES[format];
  const layer = JSON.stringify({
    mediaType: types.layer,
    size: SHARED_LAYER.bytes.length,
    digest: SHARED_LAYER.digest,
  });
  return {
    config: types.config,
    manifest: types.manifest,
    index: types.index,
    manifestHead: `{"schemaVersion":2,"mediaType":"${types.manifest}","config":{"mediaType":"${types.config}","size":`,
    manifestTail: `"},"layers":[${layer}]}`,
    indexHead: `{"schemaVersion":2,"mediaType":"${types.index}","manifests":[`,
  };
}

const PIECES: Record<ImageFormat, FormatPieces> = { docker: pieces('docker'), oci: pieces('oci') };
const ROOTFS = `"rootfs":{"type":"layers","diff_ids":["${DIFF_ID}"]}`;

function renderImage(format: ImageFormat, key: string, created: Date, arch: string): BuiltImage {
  const at = created.toISOString();
  const piece = PIECES[format];
  const config = blob(
    piece.config,
    `{"architecture":${JSON.stringify(arch)},"os":"linux","created":"${at}",${ROOTFS},` +
      `"config":{"Labels":{"org.example.bench":${JSON.stringify(key)}}},` +
      `"history":[{"created":"${at}","created_by":${JSON.stringify(`bench ${key}`)}}]}`,
  );
  const manifest = blob(
    piece.manifest,
    `${piece.manifestHead}${String(config.bytes.length)},"digest":"${config.digest}${piece.manifestTail}`,
  );
  return { manifest, config };
}

/** What content.ts's buildContent returns for `image`, byte for byte. */
export function render(image: ImageSpec): BuiltContent {
  if (image.kind === 'image') {
    return { kind: 'image', ...renderImage(image.format, image.key, image.created, 'amd64') };
  }
  const piece = PIECES[image.format];
  const children = image.platforms.map((platform) =>
    renderImage(image.format, `${image.key}/${platform.arch}`, platform.created, platform.arch),
  );
  const entries = children.map(
    (child, index) =>
      `{"mediaType":"${child.manifest.mediaType}","size":${String(child.manifest.bytes.length)},` +
      `"digest":"${child.manifest.digest}","platform":{"architecture":` +
      `${JSON.stringify(image.platforms[index]?.arch ?? 'amd64')},"os":"linux"}}`,
  );
  const manifest = blob(piece.index, `${piece.indexHead}${entries.join(',')}]}`);
  return { kind: 'index', manifest, children };
}
