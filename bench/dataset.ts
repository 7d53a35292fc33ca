// The benchmark's data set: R repositories x T tags with a realistic mix, generated
// deterministically (same options, same data) so that runs can be compared.
import { DAY_MS } from '../testkit/dates.js';
import { seededRandom } from '../testkit/random.js';

export type ImageFormat = 'docker' | 'oci';

export interface PlatformSpec {
  readonly arch: string;
  readonly created: Date;
}

/** What a tag points at, before it is turned into bytes (content.ts). */
export type ImageSpec =
  | {
      readonly kind: 'image';
      /** Unique per image; the config carries it, so distinct keys give distinct digests. */
      readonly key: string;
      readonly format: ImageFormat;
      readonly created: Date;
    }
  | {
      readonly kind: 'index';
      readonly key: string;
      readonly format: ImageFormat;
      readonly platforms: readonly PlatformSpec[];
    };

export interface TagSpec {
  readonly tag: string;
  /** Key of the image in `images`; several tags with one key share a digest. */
  readonly image: string;
}

export interface RepositorySpec {
  readonly name: string;
  /** Every tag younger than the job's older_than_days: the job has no candidate here. */
  readonly young: boolean;
  readonly tags: readonly TagSpec[];
  readonly images: ReadonlyMap<string, ImageSpec>;
}

/** The cleanup job the benchmark runs (rendered into manual.yaml). */
export interface BenchJob {
  readonly name: string;
  /** Matched against the catalog: the runs also pay for the catalog, as most users' jobs do. */
  readonly repositoryRegex: string;
  readonly tagRegexps: readonly string[];
  readonly saveLast: number;
  readonly olderThanDays: number;
}

export interface Dataset {
  readonly now: Date;
  readonly job: BenchJob;
  readonly repositories: readonly RepositorySpec[];
}

export interface DatasetOptions {
  readonly repositories: number;
  readonly tagsPerRepository: number;
  readonly now: Date;
  readonly seed?: number;
}

export { DAY_MS };
/** Identical images pushed to every repository (a shared base tagged in each). */
export const COMMON_IMAGES = 3;
/** Age of the common images, in days (the same in every repository). */
export const COMMON_AGE_DAYS = 200;

export const BENCH_JOB: BenchJob = {
  name: 'bench',
  repositoryRegex: 'bench/',
  tagRegexps: ['dev-', 'feature-', 'release-'],
  saveLast: 5,
  olderThanDays: 30,
};

/**
 * An age in days, spread over a year; never within a day of older_than_days, so that the
 * selection cannot flip between the floor computation and a run a few seconds later.
 */
export function ageDays(random: () => number, young: boolean, olderThanDays: number): number {
  if (young) return 0.1 + random() * (olderThanDays - 2);
  const age = 0.1 + random() * 364.8;
  return Math.abs(age - olderThanDays) < 1 ? olderThanDays + 1 + random() : age;
}

export const FEATURES = ['login', 'search', 'billing', 'export', 'cache', 'ui', 'api', 'sso'];

/** How many tags of each kind a repository of T tags has (T below 20 counts as 20). */
export interface TagLayout {
  readonly total: number;
  readonly releases: number;
  readonly features: number;
  readonly aliases: number;
  readonly dev: number;
}

export function tagLayout(tagsPerRepository: number): TagLayout {
  const total = Math.max(20, tagsPerRepository);
  const releases = Math.max(4, Math.round(total * 0.15));
  const features = Math.max(2, Math.round(total * 0.25));
  const aliases = Math.max(1, Math.round(total * 0.06));
  const dev = total - releases - features - aliases - 2 - COMMON_IMAGES;
  return { total, releases, features, aliases, dev };
}

export function repositoryName(index: number): string {
  return `bench/service-${String(index).padStart(3, '0')}`;
}

/** Every fifth repository is young (nothing to delete), when there is more than one. */
export function isYoung(index: number, repositories: number): boolean {
  return repositories > 1 && index % 5 === 4;
}

/** Release i: every 4th a two-platform OCI index, the others alternate docker and OCI. */
export function releaseFormat(index: number): ImageFormat | 'index' {
  if (index % 4 === 3) return 'index';
  return index % 2 === 0 ? 'docker' : 'oci';
}

/**
 * Per repository (T tags, T >= 20): about 50% `dev-N` (every 10th shares the previous one's
 * digest; three `dev-base-K` point at images that are identical in every repository), 25%
 * `feature-<name>-N`, 15% `release-1.N` (every 4th a two-platform index), and tags no job
 * pattern matches: `latest` (newest release), `stable` (an old release it protects) and
 * `v1.N.0` aliases of releases. Every fifth repository is young: no deletion candidate there.
 */
export function generateDataset(options: DatasetOptions): Dataset {
  const random = seededRandom(options.seed ?? 20_261_126);
  const job = BENCH_JOB;
  const repositories: RepositorySpec[] = [];
  const layout = tagLayout(options.tagsPerRepository);
  const commonCreated = new Date(options.now.getTime() - COMMON_AGE_DAYS * DAY_MS);
  for (let r = 0; r < options.repositories; r++) {
    const young = isYoung(r, options.repositories);
    const images = new Map<string, ImageSpec>();
    const tags: TagSpec[] = [];
    const created = (): Date =>
      new Date(options.now.getTime() - ageDays(random, young, job.olderThanDays) * DAY_MS);
    const name = repositoryName(r);
    const image = (key: string, format: ImageFormat): string => {
      images.set(key, { kind: 'image', key, format, created: created() });
      return key;
    };

    const { releases, features, aliases, dev } = layout;
    const releaseKeys: string[] = [];
    for (let i = 0; i < releases; i++) {
      const key = `${name}/release-${i}`;
      const format = releaseFormat(i);
      if (format === 'index') {
        images.set(key, {
          kind: 'index',
          key,
          format: 'oci',
          platforms: [
            { arch: 'amd64', created: created() },
            { arch: 'arm64', created: created() },
          ],
        });
      } else {
        image(key, format);
      }
      releaseKeys.push(key);
      tags.push({ tag: `release-1.${i}`, image: key });
    }
    for (let i = 0; i < features; i++) {
      const feature = FEATURES[i % FEATURES.length] ?? 'x';
      tags.push({ tag: `feature-${feature}-${i}`, image: image(`${name}/feature-${i}`, 'docker') });
    }
    let previousDev = '';
    for (let i = 0; i < dev; i++) {
      const key =
        i % 10 === 9 && previousDev !== '' ? previousDev : image(`${name}/dev-${i}`, 'docker');
      tags.push({ tag: `dev-${i}`, image: key });
      previousDev = key;
    }
    for (let k = 0; k < COMMON_IMAGES; k++) {
      const key = `common-${k}`;
      images.set(key, { kind: 'image', key, format: 'docker', created: commonCreated });
      tags.push({ tag: `dev-base-${k}`, image: key });
    }
    const newestRelease = newestOf(releaseKeys, images);
    tags.push({ tag: 'latest', image: newestRelease });
    tags.push({ tag: 'stable', image: oldestOf(releaseKeys, images) });
    for (let i = 0; i < aliases; i++) {
      tags.push({ tag: `v1.${i}.0`, image: releaseKeys[i % releaseKeys.length] ?? newestRelease });
    }
    repositories.push({ name, young, tags, images });
  }
  return { now: options.now, job, repositories };
}

/** The creation date the cleaner must see: an index is as new as its newest platform image. */
export function createdOf(image: ImageSpec): Date {
  if (image.kind === 'image') return image.created;
  return new Date(Math.max(...image.platforms.map((platform) => platform.created.getTime())));
}

function byCreated(keys: readonly string[], images: ReadonlyMap<string, ImageSpec>): string[] {
  const time = (key: string): number => {
    const image = images.get(key);
    return image === undefined ? 0 : createdOf(image).getTime();
  };
  return [...keys].sort((a, b) => time(a) - time(b));
}

function newestOf(keys: readonly string[], images: ReadonlyMap<string, ImageSpec>): string {
  return byCreated(keys, images).at(-1) ?? '';
}

function oldestOf(keys: readonly string[], images: ReadonlyMap<string, ImageSpec>): string {
  return byCreated(keys, images)[0] ?? '';
}
