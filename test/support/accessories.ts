// Signed images for the tests (issue 21), pushed the way the tools write them, through the
// support's own client (no code shared with the adapter under test):
// - cosign's tag-based discovery: a manifest at `sha256-<hex>.sig` (or `.att`) whose layer is
//   the simplesigning payload (media type application/vnd.dev.cosign.simplesigning.v1+json)
//   with the signature in the annotation `dev.cosignproject.cosign/signature`, and a config
//   that says `created: 0001-01-01T00:00:00Z`;
// - OCI 1.1 artifacts (an SBOM) naming the image in `subject`, pushed by digest, plus the
//   referrers fallback tag `sha256-<hex>`: an image index listing them (distribution spec,
//   "Referrers Tag Schema"), which is what a client writes where the referrers API is missing.
import { MEDIA_TYPES } from '../../testkit/media-types.js';
import { pushBlob, putManifest, type RegistryClientTarget } from '../../testkit/push-image.js';
import { sha256Digest, type Content } from '../../testkit/synthetic-image.js';

const OCI_MANIFEST = MEDIA_TYPES.oci.manifest;
const OCI_INDEX = MEDIA_TYPES.oci.index;
const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';
const SIMPLESIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
const DSSE = 'application/vnd.dsse.envelope.v1+json';
const SPDX = 'application/spdx+json';

function content(mediaType: string, value: Buffer | object): Content {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value));
  return { mediaType, digest: sha256Digest(bytes), bytes };
}

function descriptor(item: Content): { mediaType: string; size: number; digest: string } {
  return { mediaType: item.mediaType, size: item.bytes.length, digest: item.digest };
}

/** `sha256:<hex>` -> `sha256-<hex>` (+ suffix): cosign's and the fallback tag's names. */
export function accessoryTag(subject: string, suffix = ''): string {
  return `${subject.replace(':', '-')}${suffix}`;
}

/**
 * A cosign signature (`.sig`) or attestation (`.att`) of `subject`, tagged as cosign tags it.
 * Returns the signature manifest's digest.
 */
export async function pushCosignSignature(
  target: RegistryClientTarget,
  repository: string,
  subject: string,
  kind: 'sig' | 'att' = 'sig',
): Promise<string> {
  const payload = content(kind === 'sig' ? SIMPLESIGNING : DSSE, {
    critical: {
      identity: { 'docker-reference': `127.0.0.1/${repository}` },
      image: { 'docker-manifest-digest': subject },
      type: 'cosign container image signature',
    },
    optional: null,
  });
  const config = content('application/vnd.oci.image.config.v1+json', {
    architecture: '',
    created: '0001-01-01T00:00:00Z',
    history: [{ created: '0001-01-01T00:00:00Z' }],
    os: '',
    rootfs: { type: 'layers', diff_ids: [payload.digest] },
    config: {},
  });
  await Promise.all([pushBlob(target, repository, payload), pushBlob(target, repository, config)]);
  const manifest = content(OCI_MANIFEST, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor(config),
    layers: [
      {
        ...descriptor(payload),
        annotations: {
          'dev.cosignproject.cosign/signature': Buffer.from(`sig of ${subject}`).toString('base64'),
        },
      },
    ],
  });
  await putManifest(target, repository, accessoryTag(subject, `.${kind}`), manifest);
  return manifest.digest;
}

/**
 * An SBOM artifact whose `subject` is the given manifest, pushed by digest, and the subject's
 * referrers fallback tag rewritten to list it (with the referrers already listed there).
 * Returns the SBOM manifest's digest and the fallback index's.
 */
export async function pushSbom(
  target: RegistryClientTarget,
  repository: string,
  subject: { digest: string; mediaType: string; size: number },
  listedBefore: readonly object[] = [],
): Promise<{ digest: string; fallback: string; descriptor: object }> {
  const empty = content(EMPTY_CONFIG, Buffer.from('{}'));
  const sbom = content(SPDX, { spdxVersion: 'SPDX-2.3', name: `sbom of ${subject.digest}` });
  await Promise.all([pushBlob(target, repository, empty), pushBlob(target, repository, sbom)]);
  const manifest = content(OCI_MANIFEST, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: SPDX,
    config: descriptor(empty),
    layers: [descriptor(sbom)],
    subject,
  });
  await putManifest(target, repository, manifest.digest, manifest);
  const listed = { ...descriptor(manifest), artifactType: SPDX };
  const index = content(OCI_INDEX, {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [...listedBefore, listed],
  });
  await putManifest(target, repository, accessoryTag(subject.digest), index);
  return { digest: manifest.digest, fallback: index.digest, descriptor: listed };
}
