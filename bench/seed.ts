// Fast seeding through the registry's own HTTP API with test/support's client: the layer is
// pushed once per repository, then per image only its config (POST + PUT) and one manifest PUT
// per tag: 3 requests for a single-platform image with one tag.
import { clientFor, type RegistryClientTarget } from '../testkit/registry-client.js';
import type { SupportResponse } from '../testkit/http-request.js';
import { SHARED_LAYER, type Blob, type BuiltContent, type BuiltRepository } from './content.js';
import { mapPool } from './pool.js';

const PUSH = ['pull', 'push'] as const;

function check(what: string, response: SupportResponse, expected: number): void {
  if (response.status !== expected) {
    throw new Error(`${what}: HTTP ${response.status} ${response.body.toString().slice(0, 300)}`);
  }
}

async function pushBlob(
  target: RegistryClientTarget,
  repository: string,
  item: Blob,
): Promise<void> {
  const client = clientFor(target);
  const started = await client.request({
    method: 'POST',
    path: `/v2/${repository}/blobs/uploads/`,
    repository,
    actions: PUSH,
    headers: { 'content-length': '0' },
  });
  check(`start upload of ${item.digest}`, started, 202);
  const location = started.headers.location ?? '';
  const url = new URL(location, target.url);
  url.searchParams.set('digest', item.digest);
  const finished = await client.request({
    method: 'PUT',
    path: url.href,
    repository,
    actions: PUSH,
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(item.bytes.length),
    },
    body: item.bytes,
  });
  check(`upload of ${item.digest}`, finished, 201);
}

async function putManifest(
  target: RegistryClientTarget,
  repository: string,
  reference: string,
  manifest: Blob,
): Promise<void> {
  const response = await clientFor(target).request({
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
  check(`PUT manifest ${repository}:${reference}`, response, 201);
}

async function pushContent(
  target: RegistryClientTarget,
  repository: string,
  content: BuiltContent,
  tags: readonly string[],
): Promise<void> {
  if (content.kind === 'image') {
    await pushBlob(target, repository, content.config);
  } else {
    for (const child of content.children) {
      await pushBlob(target, repository, child.config);
      await putManifest(target, repository, child.manifest.digest, child.manifest);
    }
  }
  for (const tag of tags) await putManifest(target, repository, tag, content.manifest);
}

/** Pushes every repository; returns the number of HTTP requests it took. */
export async function seedDataset(
  target: RegistryClientTarget,
  repositories: readonly BuiltRepository[],
  concurrency: number,
): Promise<number> {
  await mapPool(repositories, concurrency, (repository) =>
    pushBlob(target, repository.spec.name, SHARED_LAYER),
  );
  const work: { repository: string; content: BuiltContent; tags: string[] }[] = [];
  let requests = repositories.length * 2;
  for (const repository of repositories) {
    const tagsByImage = new Map<string, string[]>();
    for (const { tag, image } of repository.spec.tags) {
      tagsByImage.set(image, [...(tagsByImage.get(image) ?? []), tag]);
    }
    for (const [key, tags] of tagsByImage) {
      const content = repository.content.get(key);
      if (content === undefined) throw new Error(`no content for ${key}`);
      work.push({ repository: repository.spec.name, content, tags });
      requests += tags.length + (content.kind === 'image' ? 2 : content.children.length * 3);
    }
  }
  await mapPool(work, concurrency, (item) =>
    pushContent(target, item.repository, item.content, item.tags),
  );
  return requests;
}
