import type { PushClient } from './image-push/push-client.js';
import { pushImage, pushIndex, tagExisting } from './image-push/push-image.js';

/**
 * What the demo pushes: three repositories as a small team's CI leaves them, with dev, feature,
 * CI and release tags, `created` dates from a year ago to now, multi-arch releases and `latest`
 * tags that share a digest with another tag. Sizes are small but visible after garbage
 * collection.
 */
export interface DemoImage {
  readonly repository: string;
  /** The first tag is pushed with the image; the others then share its digest. */
  readonly tags: readonly string[];
  readonly daysAgo: number;
  /** A multi-arch index over one image per platform (OCI), instead of a single image. */
  readonly platforms?: readonly string[];
  readonly layerBytes: number;
}

const KIB = 1024;
const SMALL = 256 * KIB;
const RELEASE = 512 * KIB;
const PLATFORM = 384 * KIB;

const dev = (repository: string, tag: string, daysAgo: number): DemoImage => ({
  repository,
  tags: [tag],
  daysAgo,
  layerBytes: SMALL,
});

export const DEMO_IMAGES: readonly DemoImage[] = [
  // team/web: a dev build per merge, feature branches, releases; latest is the newest release.
  dev('team/web', 'dev-101', 45),
  dev('team/web', 'dev-102', 38),
  dev('team/web', 'dev-103', 30),
  dev('team/web', 'dev-104', 21),
  dev('team/web', 'dev-105', 12),
  dev('team/web', 'dev-106', 6),
  dev('team/web', 'dev-107', 2),
  dev('team/web', 'dev-108', 0.2),
  dev('team/web', 'feature-login', 40),
  dev('team/web', 'feature-search', 25),
  dev('team/web', 'feature-dark-mode', 3),
  { repository: 'team/web', tags: ['1.0.0'], daysAgo: 400, layerBytes: RELEASE },
  { repository: 'team/web', tags: ['1.1.0'], daysAgo: 250, layerBytes: RELEASE },
  { repository: 'team/web', tags: ['1.2.0'], daysAgo: 120, layerBytes: RELEASE },
  { repository: 'team/web', tags: ['1.3.0', 'latest'], daysAgo: 20, layerBytes: RELEASE },
  // team/api: releases are multi-arch indexes (amd64 + arm64).
  dev('team/api', 'dev-55', 50),
  dev('team/api', 'dev-56', 35),
  dev('team/api', 'dev-57', 15),
  dev('team/api', 'dev-58', 1),
  ...(['2.0.0', '2.1.0', '2.2.0'] as const).map((tag, index) => ({
    repository: 'team/api',
    tags: [tag],
    daysAgo: [300, 150, 100][index] ?? 0,
    platforms: ['amd64', 'arm64'],
    layerBytes: PLATFORM,
  })),
  {
    repository: 'team/api',
    tags: ['2.3.0', 'latest'],
    daysAgo: 10,
    platforms: ['amd64', 'arm64'],
    layerBytes: PLATFORM,
  },
  // team/worker: not built for six weeks; latest is its last CI build, main-9f8e7d.
  dev('team/worker', 'main-1a2b3c', 90),
  dev('team/worker', 'main-4d5e6f', 75),
  dev('team/worker', 'main-7a8b9c', 60),
  { repository: 'team/worker', tags: ['main-9f8e7d', 'latest'], daysAgo: 45, layerBytes: SMALL },
  dev('team/worker', 'feature-retry-queue', 5),
];

/** The names of the jobs in DEMO_JOBS_YAML, in order. */
export const DEMO_JOB_NAMES: readonly string[] = [
  'clean-dev-tags',
  'clean-branch-builds',
  'keep-recent-releases',
];

/** The jobs the demo runs over DEMO_IMAGES (its manual.yaml). */
export const DEMO_JOBS_YAML = `# Written by reg-cleaner demo. Each job is explained in the README's "Selection rules".
- name: clean-dev-tags
  description: dev builds older than a week, keeping the 2 newest of them
  repositories: ['r/team/']
  tag_regexps: ['dev-']
  save_last: 2
  older_than_days: 7

- name: clean-branch-builds
  description: feature and CI builds older than two weeks; latest keeps its own build
  repositories: ['r/team/']
  tag_regexps: ['feature-', 'main-']
  save_last: 0
  older_than_days: 14

- name: keep-recent-releases
  description: releases older than 90 days, keeping the 2 newest of them
  repositories: [team/web, team/api]
  tag_regexps: ['\\d+\\.\\d+\\.\\d+$']
  save_last: 2
  older_than_days: 90
`;

export const DEMO_REPOSITORIES: readonly string[] = [
  ...new Set(DEMO_IMAGES.map((image) => image.repository)),
];

const DAY_MS = 24 * 60 * 60 * 1000;

/** Pushes DEMO_IMAGES with `created` dates relative to `now`; returns how many tags were pushed. */
export async function pushDemoImages(client: PushClient, now: Date): Promise<number> {
  const at = (daysAgo: number): Date => new Date(now.getTime() - daysAgo * DAY_MS);
  // One repository at a time, its images in parallel: quick, and gentle on a shared machine.
  for (const repository of DEMO_REPOSITORIES) {
    await Promise.all(
      DEMO_IMAGES.filter((image) => image.repository === repository).map(async (image) => {
        const [first, ...others] = image.tags;
        if (first === undefined) return;
        const { digest } =
          image.platforms === undefined
            ? await pushImage(client, repository, [first], {
                created: at(image.daysAgo),
                layerBytes: image.layerBytes,
              })
            : await pushIndex(
                client,
                repository,
                [first],
                image.platforms.map((arch, index) => ({
                  // The platform images of one release are built minutes apart.
                  created: at(image.daysAgo - index / (24 * 60)),
                  arch,
                  layerBytes: image.layerBytes,
                })),
              );
        for (const tag of others) await tagExisting(client, repository, tag, digest);
      }),
    );
  }
  return DEMO_IMAGES.reduce((count, image) => count + image.tags.length, 0);
}
