import { pushImage, type ImageFormat, type RegistryClientTarget } from './push-image.js';

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

const DAY_MS = 24 * 60 * 60 * 1000;

/** Pushes repositories x tags distinct single-platform images, one tag per image. */
export async function seedRegistry(
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

  const seeded: SeededImage[] = new Array<SeededImage>(jobs.length);
  let next = 0;
  // A small worker pool: enough parallelism to hide latency without flooding the registry.
  const worker = async (): Promise<void> => {
    for (let index = next++; index < jobs.length; index = next++) {
      const job = jobs[index];
      if (job === undefined) return;
      const pushed = await pushImage(target, job.repository, [job.tag], {
        created: job.created,
        ...(options.format === undefined ? {} : { format: options.format }),
      });
      seeded[index] = { ...job, digest: pushed.digest };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 16) }, worker));
  return seeded;
}
