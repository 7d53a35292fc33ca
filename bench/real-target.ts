// The real registry of the test suite (Debian's docker-registry), seeded with the data set;
// what the cleaner sent is read back from the registry's access log.
import { listTags } from '../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../testkit/registry-server.js';
import { classify } from './access-log.js';
import { buildDataset, type BuiltRepository } from './content.js';
import { generateDataset } from './dataset.js';
import { computeFloor, countByKind, type Floor } from './floor.js';
import { seedFilesystem } from './fs-seed.js';
import { mapPool } from '../testkit/pool.js';
import { seedDataset } from './seed.js';
import type { BenchTarget, TargetOptions } from './target.js';

/** What must be left after the real run: every tag except those on deleted digests. */
async function checkSurvivors(
  registry: RunningRegistry,
  repositories: readonly BuiltRepository[],
  floor: Floor,
): Promise<string[]> {
  const problems: string[] = [];
  await mapPool(repositories, 8, async (repository, index) => {
    const deleted = new Set(floor.repositories[index]?.deletions ?? []);
    const expected = repository.spec.tags
      .filter(({ image }) => !deleted.has(repository.content.get(image)?.manifest.digest ?? ''))
      .map(({ tag }) => tag)
      .sort();
    const actual = (await listTags(registry, repository.spec.name)).sort();
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(
        `${repository.spec.name}: ${String(actual.length)} tags left, expected ${String(expected.length)}`,
      );
    }
  });
  return problems;
}

function describeDataset(
  built: readonly BuiltRepository[],
  floor: Floor,
): Readonly<Record<string, number>> {
  let tags = 0;
  let indexes = 0;
  const digests = new Set<string>();
  for (const repository of built) {
    tags += repository.spec.tags.length;
    for (const content of repository.content.values()) {
      digests.add(content.manifest.digest);
      if (content.kind === 'index') indexes += 1;
    }
  }
  return {
    repositories: built.length,
    tags,
    matchingTags: floor.repositories.reduce((sum, plan) => sum + plan.matching.length, 0),
    distinctManifests: digests.size,
    indexes,
    repositoriesWithCandidates: floor.repositories.filter((plan) => plan.hasCandidates).length,
    deletions: floor.repositories.reduce((sum, plan) => sum + plan.deletions.length, 0),
  };
}

export async function startRealTarget(options: TargetOptions): Promise<BenchTarget> {
  const dataset = generateDataset({
    repositories: options.repositories,
    tagsPerRepository: options.tags,
    now: options.now,
  });
  const built = buildDataset(dataset);
  const floor = computeFloor(built, dataset.job, options.now);
  const registry = await startRegistry({ auth: 'none' });
  try {
    options.log(
      `registry ${registry.url}; seeding ${String(options.repositories)} x ${String(options.tags)} tags (${options.seed})`,
    );
    const seedStarted = performance.now();
    const seeding =
      options.seed === 'http'
        ? { method: 'http', requests: await seedDataset(registry, built, 32) }
        : { method: 'fs', files: seedFilesystem(registry.storageDir, built).files };
    const seedMs = Math.round(performance.now() - seedStarted);
    options.log(`seeded in ${(seedMs / 1000).toFixed(1)}s`);
    return {
      kind: 'real',
      url: registry.url,
      job: dataset.job,
      dataset: describeDataset(built, floor),
      seeding: { ...seeding, ms: seedMs },
      floor: {
        cold: countByKind(floor.cold),
        warm: countByKind(floor.warm),
        real: countByKind(floor.real),
      },
      requestLists: { cold: floor.cold, warm: floor.warm },
      observe: async () => {
        await registry.resetAccessLog();
        const tokensBefore = registry.tokenRequests().length;
        return async () => ({
          log: classify(await registry.accessLog(), registry.tokenRequests().length - tokensBefore),
        });
      },
      checkSurvivors: () => checkSurvivors(registry, built, floor),
      describe: () => Promise.resolve({ registry: 'docker-registry (distribution 2.8)' }),
      stop: () => registry.stop(),
    };
  } catch (error) {
    await registry.stop();
    throw error;
  }
}
