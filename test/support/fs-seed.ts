import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningRegistry } from './registry-server.js';
import type { SeededImage, SeedOptions } from './seed.js';
import { buildImage, type Content } from './synthetic-image.js';

/**
 * seedRegistry's images, written straight into the registry's storage in the layout distribution
 * 2.8 writes for a push (as bench/fs-seed.ts does for the benchmark): for tests whose subject is
 * what comes after the seeding, e.g. hundreds of repositories through a forward proxy, where an API
 * push (four requests and a token per image) costs more than the test itself. The registry keeps no
 * cache of its storage in the support's configuration, so it serves these at once.
 * support-registry.int.test.ts checks them against the API.
 */
export async function seedStorage(
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
  const root = join(registry.storageDir, 'docker', 'registry', 'v2');
  const link = async (dir: string, digest: string): Promise<void> => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'link'), digest);
  };
  const blob = async (item: Content): Promise<void> => {
    const hex = hexOf(item.digest);
    const dir = join(root, 'blobs', 'sha256', hex.slice(0, 2), hex);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'data'), item.bytes);
  };

  const seedOne = async (
    repositoryIndex: number,
    repository: string,
    tagIndex: number,
  ): Promise<SeededImage> => {
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
    const repo = join(root, 'repositories', ...repository.split('/'));
    const manifestHex = hexOf(image.manifest.digest);
    await Promise.all([
      blob(image.layer),
      blob(image.config),
      blob(image.manifest),
      link(join(repo, '_layers', 'sha256', hexOf(image.layer.digest)), image.layer.digest),
      link(join(repo, '_layers', 'sha256', hexOf(image.config.digest)), image.config.digest),
      link(join(repo, '_manifests', 'revisions', 'sha256', manifestHex), image.manifest.digest),
      link(join(repo, '_manifests', 'tags', tag, 'current'), image.manifest.digest),
      link(
        join(repo, '_manifests', 'tags', tag, 'index', 'sha256', manifestHex),
        image.manifest.digest,
      ),
      mkdir(join(repo, '_uploads'), { recursive: true }),
    ]);
    return { repository, tag, digest: image.manifest.digest, created };
  };

  const seeded: SeededImage[] = [];
  for (let r = 0; r < options.repositories; r++) {
    const repository = `${options.repositoryPrefix ?? 'seed/repo-'}${String(r)}`;
    // One repository at a time, its tags together: a few dozen files in flight at most.
    const images = await Promise.all(
      Array.from({ length: options.tagsPerRepository }, (_, t) => seedOne(r, repository, t)),
    );
    seeded.push(...images);
  }
  return seeded;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function hexOf(digest: string): string {
  return digest.slice('sha256:'.length);
}
