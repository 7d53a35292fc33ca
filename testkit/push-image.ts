// The pusher lives in src/ (the demo seeds its registry with it); the tests and the benchmark call
// it with a target (URL and credentials) and this module binds it to the kit's authenticating client.
import * as push from '../src/adapters/demo/image-push/push-image.js';
import type { SupportResponse } from './http-request.js';
import { clientFor, type RegistryClientTarget } from './registry-client.js';
import type { Content } from './synthetic-image.js';

export type { RegistryClientTarget } from './registry-client.js';
export type {
  ImageFormat,
  IndexPlatform,
  PushImageOptions,
} from '../src/adapters/demo/image-push/push-image.js';

/** Uploads one blob into `repository`. */
export function pushBlob(
  target: RegistryClientTarget,
  repository: string,
  blob: Content,
): Promise<void> {
  return push.pushBlob(clientFor(target), repository, blob);
}

/** Puts a manifest (or an index) under `reference`: a tag, or its own digest. */
export function putManifest(
  target: RegistryClientTarget,
  repository: string,
  reference: string,
  manifest: Content,
): Promise<void> {
  return push.putManifest(clientFor(target), repository, reference, manifest);
}

/** Pushes one single-platform image; with no tags it is pushed by digest only (untagged). */
export function pushImage(
  target: RegistryClientTarget,
  repository: string,
  tags: readonly string[],
  options: push.PushImageOptions,
): Promise<{ digest: string; configDigest: string }> {
  return push.pushImage(clientFor(target), repository, tags, options);
}

/** Pushes one image per platform (by digest), then an index / manifest list over them. */
export function pushIndex(
  target: RegistryClientTarget,
  repository: string,
  tags: readonly string[],
  platforms: readonly push.IndexPlatform[],
  options: { format?: push.ImageFormat; seed?: string } = {},
): Promise<{ digest: string; children: string[] }> {
  return push.pushIndex(clientFor(target), repository, tags, platforms, options);
}

/** The manifest under `reference` exactly as stored, with every manifest type accepted. */
export function getManifest(
  target: RegistryClientTarget,
  repository: string,
  reference: string,
): Promise<Content> {
  return push.getManifest(clientFor(target), repository, reference);
}

/** Puts the bytes of manifest `digest` under `tag` too, so both tags share one digest. */
export function tagExisting(
  target: RegistryClientTarget,
  repository: string,
  tag: string,
  digest: string,
): Promise<void> {
  return push.tagExisting(clientFor(target), repository, tag, digest);
}

/** All tags of a repository, following `Link` pages; [] for an unknown repository. */
export function listTags(target: RegistryClientTarget, repository: string): Promise<string[]> {
  return push.listTags(clientFor(target), repository);
}

/** HEAD on the manifest: true on 200, false on 404. */
export function manifestExists(
  target: RegistryClientTarget,
  repository: string,
  reference: string,
): Promise<boolean> {
  return push.manifestExists(clientFor(target), repository, reference);
}

/** DELETE by digest; returns the response so tests can check 202, 405 or 401. */
export function deleteManifest(
  target: RegistryClientTarget,
  repository: string,
  digest: string,
): Promise<SupportResponse> {
  return push.deleteManifest(clientFor(target), repository, digest);
}

/** What a manifest takes in the registry's storage (the shape of ManifestFootprint). */
export interface PushedFootprint {
  digest: string;
  bytes: number;
  blobs: { digest: string; size: number }[];
  platforms?: PushedFootprint[];
}

/**
 * The storage a pushed manifest takes, read back from the registry on its own terms: the
 * manifest's body length, and each blob's size as the registry serves it (HEAD Content-Length),
 * not the sizes the manifest claims. For an index, its platform manifests too.
 */
export async function footprintOf(
  target: RegistryClientTarget,
  repository: string,
  digest: string,
): Promise<PushedFootprint> {
  const manifest = await getManifest(target, repository, digest);
  const body = JSON.parse(manifest.bytes.toString('utf8')) as {
    manifests?: { digest: string }[];
    config?: { digest: string };
    layers?: { digest: string }[];
  };
  if (body.manifests !== undefined) {
    const platforms = await Promise.all(
      body.manifests.map((child) => footprintOf(target, repository, child.digest)),
    );
    return { digest, bytes: manifest.bytes.length, blobs: [], platforms };
  }
  const digests = [body.config?.digest ?? '', ...(body.layers ?? []).map((layer) => layer.digest)];
  const blobs = await Promise.all(
    digests.map(async (blob) => ({ digest: blob, size: await blobSize(target, repository, blob) })),
  );
  return { digest, bytes: manifest.bytes.length, blobs };
}

async function blobSize(
  target: RegistryClientTarget,
  repository: string,
  digest: string,
): Promise<number> {
  const response = await clientFor(target).request({
    method: 'HEAD',
    path: `/v2/${repository}/blobs/${digest}`,
    repository,
  });
  const length = Number(response.headers['content-length']);
  if (response.status !== 200 || !Number.isSafeInteger(length)) {
    throw new Error(`HEAD blob ${repository}@${digest}: HTTP ${String(response.status)}`);
  }
  return length;
}
