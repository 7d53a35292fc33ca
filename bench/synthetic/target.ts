// The synthetic registry as a benchmark target: nothing to seed, the floor counted from the
// names, what the cleaner sent counted by the server itself (in place of an access log).
import { mapPool } from '../../testkit/pool.js';
import { BENCH_JOB } from '../dataset.js';
import { listTags } from '../../testkit/push-image.js';
import type { BenchTarget, TargetOptions } from '../target.js';
import { SyntheticModel } from './model.js';
import { survivorHash, syntheticFloor } from './floor.js';
import { startSyntheticServer } from './server-process.js';

/** The data set's seed (dataset.ts uses the same number for its random stream). */
const SEED = 20_261_126;

export async function startSyntheticTarget(options: TargetOptions): Promise<BenchTarget> {
  const modelOptions = {
    repositories: options.repositories,
    tagsPerRepository: options.tags,
    nowMs: options.now.getTime(),
    seed: SEED,
  };
  const model = new SyntheticModel(modelOptions);
  const started = performance.now();
  const floor = syntheticFloor(model, BENCH_JOB, options.now);
  options.log(
    `floor of ${String(options.repositories)} x ${String(options.tags)} tags counted in ${((performance.now() - started) / 1000).toFixed(1)}s`,
  );
  const server = await startSyntheticServer(modelOptions);
  options.log(`synthetic registry ${server.url} (pid ${String(server.pid)})`);
  const checkSurvivors = async (): Promise<string[]> => {
    const problems: string[] = [];
    await mapPool(model.names, 8, async (name, index) => {
      const actual = await listTags(server, name);
      const expected = floor.survivors[index];
      if (expected === undefined || survivorHash(actual) !== expected.hash) {
        problems.push(
          `${name}: ${String(actual.length)} tags left, expected ${String(expected?.count ?? 0)}`,
        );
      }
    });
    return problems;
  };
  return {
    kind: 'synthetic',
    url: server.url,
    job: BENCH_JOB,
    dataset: floor.dataset,
    seeding: { method: 'none', ms: 0 },
    floor: { cold: floor.cold, warm: floor.warm, real: floor.real },
    observe: async () => {
      await server.reset();
      const before = await server.stats();
      return async () => {
        const after = await server.stats();
        return {
          log: { counts: after.counts, other: after.other, duplicates: after.duplicates },
          registryCpuMs:
            after.cpuUserMs + after.cpuSystemMs - before.cpuUserMs - before.cpuSystemMs,
          registryConnections: after.connections,
        };
      };
    },
    checkSurvivors,
    describe: async () => {
      const stats = await server.stats();
      return {
        registry: 'synthetic (bench/synthetic)',
        maxRssBytes: stats.maxRssBytes,
        heapUsedBytes: stats.heapUsedBytes,
        bitSetBytes: stats.bitSetBytes,
        indexedRepositories: stats.indexedRepositories,
        cpuMs: stats.cpuUserMs + stats.cpuSystemMs,
      };
    },
    stop: () => server.stop(),
  };
}
