// Fast seeding through the registry's own HTTP API with the kit's pusher: the layer is
// pushed once per repository, then per image only its config (POST + PUT) and one manifest PUT
// per tag: 3 requests for a single-platform image with one tag.
import { pushBlob, putManifest, type RegistryClientTarget } from '../testkit/push-image.js';
import { SHARED_LAYER, type BuiltContent, type BuiltRepository } from './content.js';
import { mapPool } from '../testkit/pool.js';

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
