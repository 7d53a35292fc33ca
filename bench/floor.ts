// The floor: the minimal request list of ../shared/docs/registry-v2.md ("Minimal work") for the
// seeded data, worked out from what was seeded and the rules of the README ("Selection rules",
// "Deletion safety"), independently of src/ so that a bug there cannot lower its own bar.
import { REQUEST_KINDS, type RequestKind } from '../src/adapters/shared/http/request-stats.js';
import type { BuiltRepository } from './content.js';
import { createdOf, type BenchJob } from './dataset.js';

// The kinds are the cleaner's own (RequestStats), not a second list: the bench's copy had
// drifted (no blob-head, manifest-put or blob-upload), so requests of those kinds went uncounted
// in the totals and unchecked against the access log. A cleanup's floor is 0 for them.
export { REQUEST_KINDS, type RequestKind };
export type RequestCounts = Record<RequestKind, number>;

export interface PlannedRequest {
  readonly kind: RequestKind;
  readonly method: 'GET' | 'HEAD' | 'DELETE';
  /** Path and query, as the registry's access log shows it. */
  readonly path: string;
}

export interface RepositoryPlan {
  readonly name: string;
  readonly matching: readonly string[];
  readonly unmatched: readonly string[];
  readonly hasCandidates: boolean;
  /** Digests a real run deletes. */
  readonly deletions: readonly string[];
}

export interface Floor {
  readonly repositories: readonly RepositoryPlan[];
  /** First run, empty state folder. */
  readonly cold: readonly PlannedRequest[];
  /** Same run again with the state of the first: every tag is known. */
  readonly warm: readonly PlannedRequest[];
  /**
   * A deleting run after the warm one: the warm run's requests, then per deleted digest the
   * deletion journal's GETs (FloorBuilder.deletions) and the DELETE.
   */
  readonly real: readonly PlannedRequest[];
}

export function countByKind(requests: readonly { kind: RequestKind }[]): RequestCounts {
  const counts = Object.fromEntries(REQUEST_KINDS.map((kind) => [kind, 0])) as RequestCounts;
  for (const request of requests) counts[request.kind] += 1;
  return counts;
}

function anchored(source: string): RegExp {
  return new RegExp(`^(?:${source})`);
}

function compareCodePointsDescending(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

/** Tags selected for deletion: old, beyond save_last in every group that matches them. */
function selectedTags(
  tags: readonly string[],
  created: (tag: string) => number,
  job: BenchJob,
  now: Date,
): Set<string> {
  const cutoff = now.getTime() - job.olderThanDays * 86_400_000;
  const selectedIn = new Map<string, number>();
  const groupsOf = new Map<string, number>();
  for (const source of job.tagRegexps) {
    const regex = anchored(source);
    const members = tags.filter((tag) => regex.test(tag));
    for (const tag of members) groupsOf.set(tag, (groupsOf.get(tag) ?? 0) + 1);
    const old = members
      .filter((tag) => created(tag) < cutoff)
      .sort((a, b) => created(b) - created(a) || compareCodePointsDescending(a, b));
    for (const tag of old.slice(job.saveLast)) selectedIn.set(tag, (selectedIn.get(tag) ?? 0) + 1);
  }
  return new Set(
    [...selectedIn].filter(([tag, count]) => count === groupsOf.get(tag)).map(([tag]) => tag),
  );
}

function planRepository(repository: BuiltRepository, job: BenchJob, now: Date): RepositoryPlan {
  const patterns = job.tagRegexps.map(anchored);
  const tags = repository.spec.tags.map((tag) => tag.tag);
  const imageOf = new Map(repository.spec.tags.map((tag) => [tag.tag, tag.image]));
  const created = (tag: string): number => {
    const image = repository.spec.images.get(imageOf.get(tag) ?? '');
    return image === undefined ? 0 : createdOf(image).getTime();
  };
  const matching = tags.filter((tag) => patterns.some((pattern) => pattern.test(tag)));
  const unmatched = tags.filter((tag) => !patterns.some((pattern) => pattern.test(tag)));
  const selected = selectedTags(matching, created, job, now);
  // A digest goes only when every tag on it is selected (no index children are tagged here, so
  // "platform image of a kept index" never applies).
  const tagsOnDigest = new Map<string, string[]>();
  for (const tag of tags) {
    const digest = repository.content.get(imageOf.get(tag) ?? '')?.manifest.digest ?? '';
    tagsOnDigest.set(digest, [...(tagsOnDigest.get(digest) ?? []), tag]);
  }
  const deletions = [...tagsOnDigest]
    .filter(([, onDigest]) => onDigest.every((tag) => selected.has(tag)))
    .map(([digest]) => digest);
  return {
    name: repository.spec.name,
    matching,
    unmatched,
    hasCandidates: selected.size > 0,
    deletions,
  };
}

const get = (kind: RequestKind, path: string): PlannedRequest => ({ kind, method: 'GET', path });

export type FloorPhase = 'cold' | 'warm';

/**
 * The manifest and blob requests of the floor, one repository at a time, in the order
 * computeFloor lists them: the synthetic benchmark's million tags never sit in memory at once.
 * Platform images and configs are counted once per digest for the whole registry.
 */
export class FloorBuilder {
  private readonly seenManifests = new Set<string>();
  private readonly seenConfigs = new Set<string>();
  private readonly journaled = new Set<string>();

  constructor(
    private readonly job: BenchJob,
    private readonly now: Date,
    private readonly emit: (phase: FloorPhase, request: PlannedRequest) => void,
  ) {}

  add(repository: BuiltRepository): RepositoryPlan {
    const plan = planRepository(repository, this.job, this.now);
    const name = plan.name;
    const imageOf = new Map(repository.spec.tags.map((tag) => [tag.tag, tag.image]));
    for (const tag of plan.matching) {
      this.emit('cold', get('manifest-get', `/v2/${name}/manifests/${tag}`));
      this.emit('warm', {
        kind: 'manifest-head',
        method: 'HEAD',
        path: `/v2/${name}/manifests/${tag}`,
      });
      const content = repository.content.get(imageOf.get(tag) ?? '');
      if (content === undefined) continue;
      this.seenManifests.add(content.manifest.digest);
      const images = content.kind === 'image' ? [content] : content.children;
      for (const image of images) {
        if (content.kind === 'index' && !this.seenManifests.has(image.manifest.digest)) {
          this.seenManifests.add(image.manifest.digest);
          this.emit('cold', get('manifest-get', `/v2/${name}/manifests/${image.manifest.digest}`));
        }
        if (!this.seenConfigs.has(image.config.digest)) {
          this.seenConfigs.add(image.config.digest);
          this.emit('cold', get('blob', `/v2/${name}/blobs/${image.config.digest}`));
        }
      }
    }
    // Tags outside every pattern: only where something could be deleted, one request each.
    if (!plan.hasCandidates) return plan;
    for (const tag of plan.unmatched) {
      this.emit('cold', get('manifest-get', `/v2/${name}/manifests/${tag}`));
      this.emit('warm', {
        kind: 'manifest-head',
        method: 'HEAD',
        path: `/v2/${name}/manifests/${tag}`,
      });
    }
    return plan;
  }

  /**
   * What a real run sends after the warm run's requests, for one repository: per deleted digest,
   * the deletion journal's GET of the manifest and of each platform image an index lists (the
   * journal keeps their bytes for --restore; a warm run only sent HEADs), then the DELETE.
   * Content is the same in every repository: a digest is read once for the whole registry.
   * (A cold real run would take the bytes from the GETs it sent anyway.)
   */
  deletions(repository: BuiltRepository, plan: RepositoryPlan): PlannedRequest[] {
    const name = plan.name;
    const contentOf = new Map(
      [...repository.content.values()].map((content) => [content.manifest.digest, content]),
    );
    const journal = (digest: string): PlannedRequest[] => {
      if (this.journaled.has(digest)) return [];
      this.journaled.add(digest);
      return [get('manifest-get', `/v2/${name}/manifests/${digest}`)];
    };
    return plan.deletions.flatMap((digest): PlannedRequest[] => {
      const content = contentOf.get(digest);
      const children = content?.kind === 'index' ? content.children : [];
      return [
        ...journal(digest),
        ...children.flatMap((child) => journal(child.manifest.digest)),
        { kind: 'delete', method: 'DELETE', path: `/v2/${name}/manifests/${digest}` },
      ];
    });
  }
}

/** The one referrers request of a run that plans a deletion (any repository's, any digest). */
function referrersProbe(plans: readonly RepositoryPlan[]): PlannedRequest[] {
  const plan = plans.find((candidate) => candidate.deletions.length > 0);
  const digest = plan?.deletions[0];
  return plan === undefined || digest === undefined
    ? []
    : [get('referrers', `/v2/${plan.name}/referrers/${digest}`)];
}

export function computeFloor(
  repositories: readonly BuiltRepository[],
  job: BenchJob,
  now: Date,
  pageSize = 1000,
): Floor {
  if (repositories.length >= pageSize) throw new Error('the floor assumes one catalog page');
  const common: PlannedRequest[] = [
    get('probe', '/v2/'),
    get('catalog', `/v2/_catalog?n=${pageSize}`),
    // distribution 2.8 answers the whole tag list at once (test/support/README.md).
    ...repositories.map((repository) =>
      get('tags', `/v2/${repository.spec.name}/tags/list?n=${pageSize}`),
    ),
  ];
  const cold: PlannedRequest[] = [...common];
  const warm: PlannedRequest[] = [...common];
  const builder = new FloorBuilder(job, now, (phase, request) => {
    (phase === 'cold' ? cold : warm).push(request);
  });
  const plans = repositories.map((repository) => builder.add(repository));
  // Deletions planned (a dry run too) make the cleaner look for their accessories: one
  // referrers request finds that distribution 2.8 has no such API, and no other is sent.
  const probe = referrersProbe(plans);
  cold.push(...probe);
  warm.push(...probe);
  const deletes = repositories.flatMap((repository, index) => {
    const plan = plans[index];
    return plan === undefined ? [] : builder.deletions(repository, plan);
  });
  return { repositories: plans, cold, warm, real: [...warm, ...deletes] };
}
