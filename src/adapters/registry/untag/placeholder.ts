import { randomBytes } from 'node:crypto';
import type { Placeholder, PlaceholderBlob } from '../../../application/ports/registry.port.js';
import { sha256Digest } from '../../shared/digest.js';
import { MediaType } from '../manifests/media-types.js';

/**
 * The one layer of every placeholder: two bytes. Some registries refuse an image manifest
 * without layers; nobody ever pulls this one, and the same bytes serve every placeholder of a
 * repository (one upload).
 */
const LAYER_BYTES = Uint8Array.from([0x0a, 0x0a]);

/** Labels that say what the manifest is, for whoever finds one left behind. */
export const PLACEHOLDER_LABEL = 'org.reg-cleaner.placeholder-for';
const PLACED_AT_LABEL = 'org.reg-cleaner.placed-at';
const NONCE_LABEL = 'org.reg-cleaner.placeholder-id';

interface Family {
  readonly manifest: string;
  readonly config: string;
  readonly layer: string;
}

const OCI: Family = {
  manifest: MediaType.ociManifest,
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
};

const DOCKER: Family = {
  manifest: MediaType.dockerManifest,
  config: 'application/vnd.docker.container.image.v1+json',
  layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
};

/**
 * A unique, tiny image manifest to move `tag` onto before deleting it by digest (issue 21),
 * of the same family (OCI or Docker) as the manifest the tag points at: a registry that holds
 * only one family may refuse the other. Its config labels name the tag and the time, plus a
 * random id, so that no two placeholders share a digest and deleting one deletes nothing else.
 * No request is sent: the caller journals its digest before any write.
 */
export function buildPlaceholder(tag: string, originalMediaType: string, at: Date): Placeholder {
  const family = originalMediaType.startsWith('application/vnd.oci.') ? OCI : DOCKER;
  const layer = blob(family.layer, LAYER_BYTES);
  const config = blob(
    family.config,
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        created: at.toISOString(),
        config: {
          Labels: {
            [PLACEHOLDER_LABEL]: tag,
            [PLACED_AT_LABEL]: at.toISOString(),
            [NONCE_LABEL]: randomBytes(8).toString('hex'),
          },
        },
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
      }),
    ),
  );
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: family.manifest,
      config: descriptor(config),
      layers: [descriptor(layer)],
    }),
  );
  return {
    manifest: { digest: sha256Digest(bytes), mediaType: family.manifest, bytes },
    blobs: [layer, config],
  };
}

function blob(mediaType: string, bytes: Uint8Array): PlaceholderBlob {
  return { digest: sha256Digest(bytes), mediaType, bytes };
}

function descriptor(item: PlaceholderBlob): Record<string, unknown> {
  return { mediaType: item.mediaType, digest: item.digest, size: item.bytes.length };
}
