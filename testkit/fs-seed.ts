import type { RunningRegistry } from './registry-server.js';
import type { SeededImage, SeedOptions } from './seed.js';
import { StorageLayout } from './storage-layout.js';
import { buildImage } from './synthetic-image.js';
import { DAY_MS } from './dates.js';

/**
 * seedRegistry's images, written straight into the registry's storage (storage-layout.ts, the
 * layout the benchmark writes too): for tests whose subject is what comes after the seeding,
 * e.g. hundreds of repositories through a forward proxy, where an API push (four requests and a
 * token per image) costs more than the test itself. support-registry.int.test.ts checks them
 * against the API.
 */
export function seedStorage(
  registry: Pick<RunningRegistry, 'storageDir'>,
  options: Omit<SeedOptions, 'concurrency'> & {
    /**
     * Tag N is one image in every repository (a base image pushed to many; its `created` must
     * then not depend on the repository): a client fetches its config once per run, not once
     * per repository.
     */
    sameImagesInEveryRepository?: boolean;
  },
): Promise<SeededImage[]> {
  const now = options.now ?? new Date();
  const layout = new StorageLayout(registry.storageDir);

  const seedOne = (repositoryIndex: number, repository: string, tagIndex: number): SeededImage => {
    const tag = `${options.tagPrefix ?? 'v'}${String(tagIndex)}`;
    const created =
      options.created === undefined
        ? new Date(now.getTime() - tagIndex * DAY_MS)
        : options.created(repositoryIndex, tagIndex);
    // The seed of seedRegistry's pushImage, so that both give the same digests.
    const createdText = created instanceof Date ? created.toISOString() : String(created);
    const image = buildImage({
      format: options.format ?? 'docker',
      created,
      seed: `${options.sameImagesInEveryRepository === true ? '' : repository}|${tag}|${createdText}`,
    });
    layout.repository(repository);
    layout.layer(repository, image.layer);
    layout.layer(repository, image.config);
    layout.manifest(repository, image.manifest);
    layout.tag(repository, tag, image.manifest.digest);
    return { repository, tag, digest: image.manifest.digest, created };
  };

  const seeded: SeededImage[] = [];
  for (let r = 0; r < options.repositories; r++) {
    const repository = `${options.repositoryPrefix ?? 'seed/repo-'}${String(r)}`;
    for (let t = 0; t < options.tagsPerRepository; t++) seeded.push(seedOne(r, repository, t));
  }
  return Promise.resolve(seeded);
}
