// The synthetic registry's data: the tag naming and mix of ../dataset.ts, but every fact is a
// pure function of (repository index, tag name) so that the server can answer any request
// without storing the data set. `created` comes from a hash of the image key instead of
// dataset.ts's random stream (a stream would make repository r depend on all before it).
import {
  ageDays,
  BENCH_JOB,
  COMMON_AGE_DAYS,
  COMMON_IMAGES,
  createdOf,
  DAY_MS,
  FEATURES,
  isYoung,
  releaseFormat,
  repositoryName,
  tagLayout,
  type ImageSpec,
  type RepositorySpec,
  type TagLayout,
  type TagSpec,
} from '../dataset.js';
import { seededRandom } from '../../testkit/random.js';

export interface SyntheticOptions {
  readonly repositories: number;
  readonly tagsPerRepository: number;
  /** The benchmark's "now" in ms: ages are relative to it. */
  readonly nowMs: number;
  readonly seed: number;
}

/** FNV-1a, then mulberry32 seeded with it: a few random numbers per key, no state kept. */
function keyedRandom(seed: number, key: string): () => number {
  let hash = 0x811c9dc5 ^ seed;
  for (let index = 0; index < key.length; index++) {
    hash = Math.imul(hash ^ key.charCodeAt(index), 0x01000193);
  }
  return seededRandom(hash);
}

const PLATFORMS = ['amd64', 'arm64'] as const;

/**
 * Images of a repository are numbered by "slot": releases, features, dev tags, then the common
 * images. A dev tag that shares its predecessor's digest (every 10th) has a slot that no tag
 * uses. Tags are numbered in tags-list order: releases, features, dev, dev-base, latest,
 * stable, aliases.
 */
export class SyntheticModel {
  readonly layout: TagLayout;
  readonly names: readonly string[];
  /** Repository indexes in catalog order (code-point order of the names). */
  readonly catalogOrder: readonly number[];
  readonly slots: number;
  private readonly indexByName: ReadonlyMap<string, number>;
  private readonly firstFeature: number;
  private readonly firstDev: number;
  private readonly firstCommon: number;
  private readonly cutoffAgeDays = BENCH_JOB.olderThanDays;
  /** Per repository, the release slot `latest` and `stable` point at; -1 until first asked. */
  private readonly latest: Int32Array;
  private readonly stable: Int32Array;

  constructor(readonly options: SyntheticOptions) {
    this.layout = tagLayout(options.tagsPerRepository);
    this.names = Array.from({ length: options.repositories }, (_, index) => repositoryName(index));
    this.indexByName = new Map(this.names.map((name, index) => [name, index]));
    this.catalogOrder = this.names
      .map((name, index) => ({ name, index }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(({ index }) => index);
    this.firstFeature = this.layout.releases;
    this.firstDev = this.firstFeature + this.layout.features;
    this.firstCommon = this.firstDev + this.layout.dev;
    this.slots = this.firstCommon + COMMON_IMAGES;
    this.latest = new Int32Array(options.repositories).fill(-1);
    this.stable = new Int32Array(options.repositories).fill(-1);
  }

  repositoryIndex(name: string): number {
    return this.indexByName.get(name) ?? -1;
  }

  get tagsPerRepository(): number {
    return this.layout.total;
  }

  tagName(tag: number): string {
    const { releases, features } = this.layout;
    if (tag < releases) return `release-1.${String(tag)}`;
    if (tag < releases + features) {
      const i = tag - releases;
      return `feature-${FEATURES[i % FEATURES.length] ?? 'x'}-${String(i)}`;
    }
    if (tag < this.firstCommon) return `dev-${String(tag - this.firstDev)}`;
    const rest = tag - this.firstCommon;
    if (rest < COMMON_IMAGES) return `dev-base-${String(rest)}`;
    if (rest === COMMON_IMAGES) return 'latest';
    if (rest === COMMON_IMAGES + 1) return 'stable';
    return `v1.${String(rest - COMMON_IMAGES - 2)}.0`;
  }

  /** The tag's number, or -1 for a name this data set does not have. */
  tagIndex(name: string): number {
    const { releases, features, dev, aliases } = this.layout;
    if (name.startsWith('release-1.')) return bounded(name.slice(10), releases, 0);
    if (name.startsWith('feature-')) {
      const dash = name.lastIndexOf('-');
      const i = bounded(name.slice(dash + 1), features, 0);
      return i >= 0 && name === this.tagName(releases + i) ? releases + i : -1;
    }
    if (name.startsWith('dev-base-')) {
      return bounded(name.slice(9), COMMON_IMAGES, this.firstCommon);
    }
    if (name.startsWith('dev-')) return bounded(name.slice(4), dev, this.firstDev);
    if (name === 'latest') return this.firstCommon + COMMON_IMAGES;
    if (name === 'stable') return this.firstCommon + COMMON_IMAGES + 1;
    if (name.startsWith('v1.') && name.endsWith('.0')) {
      return bounded(name.slice(3, -2), aliases, this.firstCommon + COMMON_IMAGES + 2);
    }
    return -1;
  }

  /** The image slot a tag points at in repository `repository`. */
  slotOfTag(repository: number, tag: number): number {
    if (tag < this.firstDev) return tag;
    if (tag < this.firstCommon) {
      const i = tag - this.firstDev;
      // Every 10th dev tag shares the previous dev tag's digest (dataset.ts).
      return i % 10 === 9 ? tag - 1 : tag;
    }
    const rest = tag - this.firstCommon;
    if (rest < COMMON_IMAGES) return tag;
    if (rest === COMMON_IMAGES) return this.newestRelease(repository);
    if (rest === COMMON_IMAGES + 1) return this.oldestRelease(repository);
    return (rest - COMMON_IMAGES - 2) % this.layout.releases;
  }

  /** True when some tag points at the slot (the shared dev slots have no tag of their own). */
  slotInUse(slot: number): boolean {
    if (slot < this.firstDev || slot >= this.firstCommon) return slot >= 0 && slot < this.slots;
    return (slot - this.firstDev) % 10 !== 9;
  }

  /** The common images are byte-identical in every repository. */
  isCommon(slot: number): boolean {
    return slot >= this.firstCommon;
  }

  image(repository: number, slot: number): ImageSpec {
    const nowMs = this.options.nowMs;
    if (slot >= this.firstCommon) {
      const created = new Date(nowMs - COMMON_AGE_DAYS * DAY_MS);
      return {
        kind: 'image',
        key: `common-${String(slot - this.firstCommon)}`,
        format: 'docker',
        created,
      };
    }
    const name = this.names[repository] ?? '';
    const young = isYoung(repository, this.options.repositories);
    const created = (key: string): Date =>
      new Date(
        nowMs - ageDays(keyedRandom(this.options.seed, key), young, this.cutoffAgeDays) * DAY_MS,
      );
    if (slot < this.firstFeature) {
      const key = `${name}/release-${String(slot)}`;
      const format = releaseFormat(slot);
      if (format !== 'index') return { kind: 'image', key, format, created: created(key) };
      const platforms = PLATFORMS.map((arch) => ({ arch, created: created(`${key}/${arch}`) }));
      return { kind: 'index', key, format: 'oci', platforms };
    }
    const key =
      slot < this.firstDev
        ? `${name}/feature-${String(slot - this.firstFeature)}`
        : `${name}/dev-${String(slot - this.firstDev)}`;
    return { kind: 'image', key, format: 'docker', created: created(key) };
  }

  /** The whole repository as dataset.ts describes one (for the floor and the checks). */
  repositorySpec(repository: number): RepositorySpec {
    const name = this.names[repository] ?? '';
    const tags: TagSpec[] = [];
    const images = new Map<string, ImageSpec>();
    for (let tag = 0; tag < this.layout.total; tag++) {
      const image = this.image(repository, this.slotOfTag(repository, tag));
      images.set(image.key, image);
      tags.push({ tag: this.tagName(tag), image: image.key });
    }
    return { name, young: isYoung(repository, this.options.repositories), tags, images };
  }

  private newestRelease(repository: number): number {
    if ((this.latest[repository] ?? -1) < 0) this.rankReleases(repository);
    return this.latest[repository] ?? 0;
  }

  private oldestRelease(repository: number): number {
    if ((this.stable[repository] ?? -1) < 0) this.rankReleases(repository);
    return this.stable[repository] ?? 0;
  }

  /** Same choice as dataset.ts's newestOf/oldestOf (a stable sort: last newest, first oldest). */
  private rankReleases(repository: number): void {
    let newest = 0;
    let oldest = 0;
    let newestTime = -Infinity;
    let oldestTime = Infinity;
    for (let slot = 0; slot < this.layout.releases; slot++) {
      const time = createdOf(this.image(repository, slot)).getTime();
      if (time >= newestTime) {
        newestTime = time;
        newest = slot;
      }
      if (time < oldestTime) {
        oldestTime = time;
        oldest = slot;
      }
    }
    this.latest[repository] = newest;
    this.stable[repository] = oldest;
  }
}

/** `text` as a canonical decimal below `limit`, plus `offset`; -1 otherwise. */
function bounded(text: string, limit: number, offset: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value >= limit || String(value) !== text) return -1;
  return offset + value;
}
