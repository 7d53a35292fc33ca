import { mapPool } from './pool.js';
import { pushImage, type ImageFormat, type RegistryClientTarget } from './push-image.js';
import { DAY_MS } from './dates.js';

export interface SeedOptions {
  repositories: number;
  tagsPerRepository: number;
  /** Repository names are `${prefix}${index}`; default 'seed/repo-'. */
  repositoryPrefix?: string;
  /** Tag names are `${prefix}${index}`; default 'v'. */
  tagPrefix?: string;
  format?: ImageFormat;
  /** The `created` of each image; default: `now` minus tagIndex days, so v0 is the newest. */
  created?: (repositoryIndex: number, tagIndex: number) => Date | string | null;
  now?: Date;
  /** Pushes in flight at once; default 16 (the client's socket limit). */
  concurrency?: number;
}

export interface SeededImage {
  repository: string;
  tag: string;
  digest: string;
  created: Date | string | null;
}

/** Pushes repositories x tags distinct single-platform images, one tag per image. */
export function seedRegistry(
  target: RegistryClientTarget,
  options: SeedOptions,
): Promise<SeededImage[]> {
  const now = options.now ?? new Date();
  const createdFor =
    options.created ??
    ((_repository: number, tag: number) => new Date(now.getTime() - tag * DAY_MS));
  const jobs: { repository: string; tag: string; created: Date | string | null }[] = [];
  for (let r = 0; r < options.repositories; r++) {
    for (let t = 0; t < options.tagsPerRepository; t++) {
      jobs.push({
        repository: `${options.repositoryPrefix ?? 'seed/repo-'}${r}`,
        tag: `${options.tagPrefix ?? 'v'}${t}`,
        created: createdFor(r, t),
      });
    }
  }

  // A small worker pool: enough parallelism to hide latency without flooding the registry.
  return mapPool(jobs, Math.max(1, options.concurrency ?? 16), async (job) => {
    const pushed = await pushImage(target, job.repository, [job.tag], {
      created: job.created,
      ...(options.format === undefined ? {} : { format: options.format }),
    });
    return { ...job, digest: pushed.digest };
  });
}
