// The floor for the synthetic registry, counted one repository at a time with the same rules
// as ../floor.ts (FloorBuilder), so that neither the data set nor the request lists sit in
// memory: at 1,000,000 tags only the registry-wide digest sets do. The bytes are the server's
// (templates.ts, byte-identical to content.ts: the unit test checks it, and it is 2x faster).
import { createHash } from 'node:crypto';
import type { BuiltRepository } from '../content.js';
import type { BenchJob } from '../dataset.js';
import { countByKind, FloorBuilder, REQUEST_KINDS, type RequestCounts } from '../floor.js';
import type { SyntheticModel } from './model.js';
import { render } from './templates.js';

export interface SyntheticFloor {
  readonly cold: RequestCounts;
  readonly warm: RequestCounts;
  readonly real: RequestCounts;
  readonly dataset: Readonly<Record<string, number>>;
  /** Per repository: how many tags a real run leaves, and a hash of their sorted names. */
  readonly survivors: readonly { readonly count: number; readonly hash: string }[];
}

export function survivorHash(tags: readonly string[]): string {
  return createHash('sha256')
    .update([...tags].sort().join('\n'))
    .digest('hex');
}

/** `pageSize` is the cleaner's catalog page (registry-urls.ts); the server pages as asked. */
export function syntheticFloor(
  model: SyntheticModel,
  job: BenchJob,
  now: Date,
  pageSize = 1000,
): SyntheticFloor {
  const repositories = model.options.repositories;
  const cold = countByKind([]);
  const warm = countByKind([]);
  for (const counts of [cold, warm]) {
    counts.probe = 1;
    // The synthetic registry links a next page only when there are more names.
    counts.catalog = Math.max(1, Math.ceil(repositories / pageSize));
    counts.tags = repositories;
  }
  const builder = new FloorBuilder(job, now, (phase, request) => {
    (phase === 'cold' ? cold : warm)[request.kind] += 1;
  });
  const topLevel = new Set<string>();
  let tags = 0;
  let matchingTags = 0;
  let indexes = 0;
  let withCandidates = 0;
  let deletions = 0;
  // What the real run sends beyond the warm run's requests: the journal's GETs and the DELETEs.
  const realOnly = countByKind([]);
  const survivors: { count: number; hash: string }[] = [];
  for (let index = 0; index < repositories; index++) {
    const spec = model.repositorySpec(index);
    const repository: BuiltRepository = {
      spec,
      content: new Map([...spec.images].map(([key, image]) => [key, render(image)])),
    };
    const plan = builder.add(repository);
    tags += spec.tags.length;
    matchingTags += plan.matching.length;
    if (plan.hasCandidates) withCandidates += 1;
    deletions += plan.deletions.length;
    for (const request of builder.deletions(repository, plan)) realOnly[request.kind] += 1;
    for (const content of repository.content.values()) {
      topLevel.add(content.manifest.digest);
      if (content.kind === 'index') indexes += 1;
    }
    const deleted = new Set(plan.deletions);
    const left = spec.tags
      .filter(({ image }) => !deleted.has(repository.content.get(image)?.manifest.digest ?? ''))
      .map(({ tag }) => tag);
    survivors.push({ count: left.length, hash: survivorHash(left) });
  }
  // Planned deletions: one referrers request finds that the registry has no such API.
  const anyDeletion = deletions > 0 ? 1 : 0;
  cold.referrers = warm.referrers = anyDeletion;
  const real = countByKind([]);
  for (const kind of REQUEST_KINDS) real[kind] = warm[kind] + realOnly[kind];
  return {
    cold,
    warm,
    real,
    dataset: {
      repositories,
      tags,
      matchingTags,
      distinctManifests: topLevel.size,
      indexes,
      repositoriesWithCandidates: withCandidates,
      deletions,
    },
    survivors,
  };
}
