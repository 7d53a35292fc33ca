// Pushes synthetic images through the Registry HTTP API: the demo's seeding, and the tests'
// fixtures and the benchmark's seeding (testkit/push-image.ts binds these functions to the kit's
// authenticating client).
import type { RawResponse } from './http-request.js';
import { ALL_MANIFEST_TYPES, type ImageFormat } from './media-types.js';
import type { PushClient } from './push-client.js';
import { buildImage, buildIndex, sha256Digest, type Content } from './synthetic-image.js';

export type { ImageFormat } from './media-types.js';

export interface PushImageOptions {
  /** The config's `created`; null pushes a config without it. Strings go in verbatim. */
  created: Date | string | null;
  /** Default 'docker'. */
  format?: ImageFormat;
  /** Makes the layer (and so the digest) unique; default: derived from repository, tags and created. */
  seed?: string;
  architecture?: string;
  /** Incompressible filler in the layer, so that deleting the image frees visible disk space. */
  layerBytes?: number;
}

export interface IndexPlatform {
  created: Date | string;
  arch: string;
  os?: string;
  layerBytes?: number;
}

const PUSH = ['pull', 'push'] as const;

function fail(what: string, response: RawResponse): never {
  throw new Error(`${what}: HTTP ${response.status} ${response.body.toString().slice(0, 500)}`);
}

function defaultSeed(
  repository: string,
  tags: readonly string[],
  created: Date | string | null,
): string {
  const createdText = created instanceof Date ? created.toISOString() : String(created);
  return `${repository}|${tags.join(',')}|${createdText}`;
}

/** Uploads one blob (a layer, a config, an artifact's payload) into `repository`. */
export async function pushBlob(
  client: PushClient,
  repository: string,
  blob: Content,
): Promise<void> {
  // distribution 2.8 ignores ?digest= on the POST (no single-request upload), so: POST, then a
  // monolithic PUT of the whole blob to the returned Location.
  const started = await client.request({
    method: 'POST',
    path: `/v2/${repository}/blobs/uploads/`,
    repository,
    actions: PUSH,
    headers: { 'content-length': '0' },
  });
  const location = started.headers.location;
  if (started.status !== 202 || location === undefined)
    fail(`start upload of ${blob.digest} to ${repository}`, started);
  const uploadUrl = new URL(location, client.url);
  uploadUrl.searchParams.set('digest', blob.digest);
  const finished = await client.request({
    method: 'PUT',
    path: uploadUrl.href,
    repository,
    actions: PUSH,
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(blob.bytes.length),
    },
    body: blob.bytes,
  });
  if (finished.status !== 201) fail(`upload of ${blob.digest} to ${repository}`, finished);
}

/** Puts a manifest (or an index) under `reference`: a tag, or its own digest. */
export async function putManifest(
  client: PushClient,
  repository: string,
  reference: string,
  manifest: Content,
): Promise<void> {
  const response = await client.request({
    method: 'PUT',
    path: `/v2/${repository}/manifests/${reference}`,
    repository,
    actions: PUSH,
    headers: {
      'content-type': manifest.mediaType,
      'content-length': String(manifest.bytes.length),
    },
    body: manifest.bytes,
  });
  if (response.status !== 201) fail(`PUT manifest ${repository}:${reference}`, response);
}

/** Puts a manifest under each tag (or only by digest when there are none). */
async function putUnderTags(
  client: PushClient,
  repository: string,
  tags: readonly string[],
  manifest: Content,
): Promise<void> {
  const [first, ...rest] = tags;
  await putManifest(client, repository, first ?? manifest.digest, manifest);
  await Promise.all(rest.map((tag) => putManifest(client, repository, tag, manifest)));
}

/** Pushes one single-platform image; with no tags it is pushed by digest only (untagged). */
export async function pushImage(
  client: PushClient,
  repository: string,
  tags: readonly string[],
  options: PushImageOptions,
): Promise<{ digest: string; configDigest: string }> {
  const image = buildImage({
    format: options.format ?? 'docker',
    created: options.created,
    seed: options.seed ?? defaultSeed(repository, tags, options.created),
    ...(options.architecture === undefined ? {} : { architecture: options.architecture }),
    ...(options.layerBytes === undefined ? {} : { layerBytes: options.layerBytes }),
  });
  await Promise.all([
    pushBlob(client, repository, image.config),
    pushBlob(client, repository, image.layer),
  ]);
  await putUnderTags(client, repository, tags, image.manifest);
  return { digest: image.manifest.digest, configDigest: image.config.digest };
}

/** Pushes one image per platform (by digest), then an index / manifest list over them. */
export async function pushIndex(
  client: PushClient,
  repository: string,
  tags: readonly string[],
  platforms: readonly IndexPlatform[],
  options: { format?: ImageFormat; seed?: string } = {},
): Promise<{ digest: string; children: string[] }> {
  const format = options.format ?? 'oci';
  const baseSeed = options.seed ?? `${repository}|${tags.join(',')}|index`;
  const entries = await Promise.all(
    platforms.map(async (platform) => {
      const os = platform.os ?? 'linux';
      const seed = `${baseSeed}|${os}/${platform.arch}`;
      const image = buildImage({
        format,
        created: platform.created,
        seed,
        architecture: platform.arch,
        os,
        ...(platform.layerBytes === undefined ? {} : { layerBytes: platform.layerBytes }),
      });
      await Promise.all([
        pushBlob(client, repository, image.config),
        pushBlob(client, repository, image.layer),
      ]);
      // The registry refuses an index whose children it does not have yet.
      await putManifest(client, repository, image.manifest.digest, image.manifest);
      return { manifest: image.manifest, architecture: platform.arch, os };
    }),
  );
  const index = buildIndex(format, entries);
  await putUnderTags(client, repository, tags, index);
  return { digest: index.digest, children: entries.map((entry) => entry.manifest.digest) };
}

/** The manifest under `reference` exactly as stored, with every manifest type accepted. */
export async function getManifest(
  client: PushClient,
  repository: string,
  reference: string,
): Promise<Content> {
  const response = await client.request({
    method: 'GET',
    path: `/v2/${repository}/manifests/${reference}`,
    repository,
    headers: { accept: ALL_MANIFEST_TYPES },
  });
  if (response.status !== 200) fail(`GET manifest ${repository}:${reference}`, response);
  const mediaType = response.headers['content-type'] ?? '';
  return { mediaType, digest: sha256Digest(response.body), bytes: response.body };
}

/** Puts the bytes of manifest `digest` under `tag` too, so both tags share one digest. */
export async function tagExisting(
  client: PushClient,
  repository: string,
  tag: string,
  digest: string,
): Promise<void> {
  const manifest = await getManifest(client, repository, digest);
  if (manifest.digest !== digest)
    throw new Error(`registry returned ${manifest.digest} for ${digest}`);
  await putManifest(client, repository, tag, manifest);
}

/** All tags of a repository, following `Link` pages; [] for an unknown repository. */
export async function listTags(client: PushClient, repository: string): Promise<string[]> {
  const tags: string[] = [];
  let next: string | undefined = `/v2/${repository}/tags/list?n=100`;
  while (next !== undefined) {
    const response = await client.request({ method: 'GET', path: next, repository });
    if (response.status === 404) return tags;
    if (response.status !== 200) fail(`list tags of ${repository}`, response);
    const page = JSON.parse(response.body.toString()) as { tags?: string[] | null };
    tags.push(...(page.tags ?? []));
    // `Link: </v2/name/tags/list?last=x&n=100>; rel="next"` (relative in distribution 2.8).
    const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(String(response.headers.link ?? ''));
    next = link?.[1];
  }
  return tags;
}

/** HEAD on the manifest: true on 200, false on 404. */
export async function manifestExists(
  client: PushClient,
  repository: string,
  reference: string,
): Promise<boolean> {
  const response = await client.request({
    method: 'HEAD',
    path: `/v2/${repository}/manifests/${reference}`,
    repository,
    headers: { accept: ALL_MANIFEST_TYPES },
  });
  if (response.status === 200) return true;
  if (response.status === 404) return false;
  return fail(`HEAD manifest ${repository}:${reference}`, response);
}

/** DELETE by digest; returns the response so tests can check 202, 405 or 401. */
export function deleteManifest(
  client: PushClient,
  repository: string,
  digest: string,
): Promise<RawResponse> {
  return client.request({
    method: 'DELETE',
    path: `/v2/${repository}/manifests/${digest}`,
    repository,
    actions: ['delete'],
  });
}
