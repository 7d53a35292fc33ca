// npm run bench [-- --size small|large] [--repos R --tags T] [--concurrency N] [--repeat K]
//                  [--seed http|fs] [--no-bare] [--keep]
// Starts the real registry (test/support), seeds R x T tags, then measures in fresh processes a
// cold dry run, a warm dry run and a real run of the built CLI, plus the bare client on the
// floor's request lists. Prints a table and writes bench/results/<date>-<size>.json.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { listTags } from '../test/support/push-image.js';
import { startRegistry, type RunningRegistry } from '../test/support/registry-server.js';
import { classify, type ClassifiedLog } from './access-log.js';
import { buildDataset, type BuiltRepository } from './content.js';
import { generateDataset, type BenchJob } from './dataset.js';
import {
  computeFloor,
  countByKind,
  REQUEST_KINDS,
  type Floor,
  type PlannedRequest,
  type RequestCounts,
} from './floor.js';
import { seedFilesystem } from './fs-seed.js';
import { mapPool } from './pool.js';
import {
  BARE_CLIENT,
  CLI,
  runBareClient,
  runCleaner,
  snapshotCli,
  type BareRun,
} from './processes.js';
import { seedDataset } from './seed.js';
import { renderTable, type TableInput, type TablePhase } from './table.js';

const SIZES = {
  small: { repositories: 10, tags: 200 },
  large: { repositories: 100, tags: 1000 },
} as const;
/** Above this many tags the API push takes minutes: the filesystem is seeded instead. */
const HTTP_SEED_LIMIT = 5000;

interface Options {
  readonly size: string;
  readonly repositories: number;
  readonly tags: number;
  readonly concurrency: number;
  readonly repeat: number;
  readonly seed: 'http' | 'fs';
  readonly keep: boolean;
  readonly bare: boolean;
}

const USAGE =
  'usage: npm run bench -- [--size small|large] [--repos R --tags T] [--concurrency N]\n' +
  '                        [--repeat K] [--seed http|fs] [--no-bare] [--keep]\n';

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      size: { type: 'string', default: 'small' },
      repos: { type: 'string' },
      tags: { type: 'string' },
      concurrency: { type: 'string', default: '20' },
      repeat: { type: 'string', default: '1' },
      seed: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'no-bare': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const size = values.size;
  if (size !== 'small' && size !== 'large') {
    throw new Error(`--size must be small or large, got ${size}\n${USAGE}`);
  }
  const positive = (name: string, text: string | undefined, fallback: number): number => {
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${name} must be a positive integer`);
    return value;
  };
  const repositories = positive('repos', values.repos, SIZES[size].repositories);
  const tags = positive('tags', values.tags, SIZES[size].tags);
  const seed = values.seed ?? (repositories * tags > HTTP_SEED_LIMIT ? 'fs' : 'http');
  if (seed !== 'http' && seed !== 'fs') throw new Error(`--seed must be http or fs, got ${seed}`);
  const custom = values.repos !== undefined || values.tags !== undefined;
  return {
    size: custom ? `${String(repositories)}x${String(tags)}` : size,
    repositories,
    tags,
    concurrency: positive('concurrency', values.concurrency, 20),
    repeat: positive('repeat', values.repeat, 1),
    seed,
    keep: values.keep,
    bare: !values['no-bare'],
  };
}

function jobYaml(job: BenchJob): string {
  return [
    `- name: ${job.name}`,
    '  repositories:',
    `    - r/${job.repositoryRegex}/`,
    '  tag_regexps:',
    ...job.tagRegexps.map((source) => `    - '${source}'`),
    `  save_last: ${String(job.saveLast)}`,
    `  older_than_days: ${String(job.olderThanDays)}`,
    '',
  ].join('\n');
}

/** One process of the cleaner, as counted by itself and by the registry. */
interface CleanerSample {
  readonly exitCode: number | null;
  readonly wallMs: number;
  readonly maxRssBytes: number;
  readonly cpuMs: number;
  readonly requests: RequestCounts;
  readonly retries: number;
  readonly accessLog: ClassifiedLog;
}

function total(counts: RequestCounts): number {
  return REQUEST_KINDS.reduce((sum, kind) => sum + counts[kind], 0);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function sampleCleaner(
  registry: RunningRegistry,
  workDir: string,
  name: string,
  dryRun: boolean,
  stateDir: string,
): Promise<CleanerSample> {
  await registry.resetAccessLog();
  const tokensBefore = registry.tokenRequests().length;
  const run = await runCleaner(workDir, name, dryRun, stateDir);
  const accessLog = classify(
    await registry.accessLog(),
    registry.tokenRequests().length - tokensBefore,
  );
  return {
    exitCode: run.exitCode,
    wallMs: run.wallMs,
    maxRssBytes: run.stats.maxRssBytes,
    cpuMs: run.stats.cpuUserMs + run.stats.cpuSystemMs,
    requests: run.stats.requests,
    retries: run.stats.retries,
    accessLog,
  };
}

/** A phase's runs and bare runs, alternated so that both see the same background load. */
interface Phase {
  readonly name: 'cold' | 'warm' | 'real';
  readonly floor: readonly PlannedRequest[];
  readonly runs: CleanerSample[];
  readonly bare: BareRun[];
}

interface PhaseSummary extends TablePhase {
  readonly sameCountsEveryRun: boolean;
  readonly samplesMs: readonly number[];
}

function summarise(phase: Phase): PhaseSummary {
  const last = phase.runs.at(-1);
  if (last === undefined) throw new Error(`no run in phase ${phase.name}`);
  const wallMs = median(phase.runs.map((run) => run.wallMs));
  const bareMs = phase.bare.length === 0 ? undefined : median(phase.bare.map((run) => run.wallMs));
  const floor = countByKind(phase.floor);
  return {
    name: phase.name,
    exitCode: phase.runs.every((run) => run.exitCode === 0) ? 0 : (last.exitCode ?? -1),
    wallMs: Math.round(wallMs),
    maxRssBytes: Math.max(...phase.runs.map((run) => run.maxRssBytes)),
    cpuMs: Math.round(median(phase.runs.map((run) => run.cpuMs))),
    requests: last.requests,
    requestsTotal: total(last.requests),
    floor,
    floorTotal: total(floor),
    accessLog: last.accessLog,
    sameCountsEveryRun: phase.runs.every(
      (run) => JSON.stringify(run.requests) === JSON.stringify(last.requests),
    ),
    samplesMs: phase.runs.map((run) => Math.round(run.wallMs)),
    ...(bareMs === undefined
      ? {}
      : {
          bare: {
            wallMs: Math.round(bareMs),
            requestMs: Math.round(median(phase.bare.map((run) => run.requestMs))),
            samplesMs: phase.bare.map((run) => Math.round(run.wallMs)),
            statuses: phase.bare.at(-1)?.statuses ?? {},
          },
          ratioToBare: Number((wallMs / bareMs).toFixed(3)),
        }),
  };
}

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

function describeDataset(built: readonly BuiltRepository[], floor: Floor): TableInput['dataset'] {
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

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  for (const file of [CLI, BARE_CLIENT]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: run npm run bench (it builds first)`);
  }
  snapshotCli();
  const started = performance.now();
  const now = new Date();
  const log = (message: string): void => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[${seconds}s] ${message}\n`);
  };
  const dataset = generateDataset({
    repositories: options.repositories,
    tagsPerRepository: options.tags,
    now,
  });
  const built = buildDataset(dataset);
  const floor = computeFloor(built, dataset.job, now);
  const workDir = await mkdtemp(join(tmpdir(), 'reg-cleaner-bench-'));
  const registry = await startRegistry({ auth: 'none' });
  try {
    log(
      `registry ${registry.url}; seeding ${String(options.repositories)} x ${String(options.tags)} tags (${options.seed})`,
    );
    const seedStarted = performance.now();
    const seeding =
      options.seed === 'http'
        ? { method: 'http', requests: await seedDataset(registry, built, 32) }
        : { method: 'fs', files: seedFilesystem(registry.storageDir, built).files };
    const seedMs = Math.round(performance.now() - seedStarted);
    log(`seeded in ${(seedMs / 1000).toFixed(1)}s`);

    await mkdir(join(workDir, 'config'), { recursive: true });
    await writeFile(
      join(workDir, 'config', 'config.yaml'),
      `registry_url: ${registry.url}\ntimeout: 60\nmax_concurrent_requests: ${String(options.concurrency)}\n`,
    );
    await writeFile(join(workDir, 'config', 'manual.yaml'), jobYaml(dataset.job));

    const bare = async (name: string, list: readonly PlannedRequest[]): Promise<BareRun> => {
      const run = await runBareClient(workDir, name, registry.url, options.concurrency, list);
      log(`  bare client, ${name}: ${(run.wallMs / 1000).toFixed(2)}s`);
      return run;
    };
    const cleaner = async (
      name: string,
      dryRun: boolean,
      state: string,
    ): Promise<CleanerSample> => {
      const run = await sampleCleaner(registry, workDir, name, dryRun, state);
      log(`  ${name}: ${(run.wallMs / 1000).toFixed(2)}s, ${String(total(run.requests))} requests`);
      return run;
    };
    const cold: Phase = { name: 'cold', floor: floor.cold, runs: [], bare: [] };
    const warm: Phase = { name: 'warm', floor: floor.warm, runs: [], bare: [] };
    const real: Phase = { name: 'real', floor: floor.real, runs: [], bare: [] };
    log('cold dry runs (empty state folder each)');
    for (let index = 0; index < options.repeat; index++) {
      cold.runs.push(await cleaner(`cold-${String(index)}`, true, `state-${String(index)}`));
      if (options.bare) cold.bare.push(await bare(`bare-cold-${String(index)}`, floor.cold));
    }
    const state = `state-${String(options.repeat - 1)}`;
    log('warm dry runs (state of the last cold run)');
    for (let index = 0; index < options.repeat; index++) {
      warm.runs.push(await cleaner(`warm-${String(index)}`, true, state));
      if (options.bare) warm.bare.push(await bare(`bare-warm-${String(index)}`, floor.warm));
    }
    log('real run');
    real.runs.push(await cleaner('real', false, state));
    const survivors = await checkSurvivors(registry, built, floor);
    const phases = [cold, warm, real].map(summarise);

    const load = loadavg();
    const result = {
      date: now.toISOString(),
      size: options.size,
      machine: {
        cores: cpus().length,
        cpu: cpus()[0]?.model ?? 'unknown',
        memoryBytes: totalmem(),
        freeMemoryBytes: freemem(),
        loadAverage1m: Number(load[0]?.toFixed(2) ?? 0),
        node: process.version,
      },
      concurrency: options.concurrency,
      repeat: options.repeat,
      job: dataset.job,
      dataset: describeDataset(built, floor),
      seeding: { ...seeding, ms: seedMs },
      phases,
      checks: {
        survivors: survivors.length === 0 ? 'ok' : survivors,
        countsMatchAccessLog: [cold, warm, real].every((phase) =>
          phase.runs.every((run) =>
            REQUEST_KINDS.every((kind) => run.requests[kind] === run.accessLog.counts[kind]),
          ),
        ),
        atFloor: phases.every((phase) => phase.requestsTotal === phase.floorTotal),
        duplicates: phases.reduce((sum, phase) => sum + phase.accessLog.duplicates, 0),
      },
      totalMs: Math.round(performance.now() - started),
    };
    process.stdout.write(renderTable(result));
    const resultsDir = join(process.cwd(), 'bench', 'results');
    await mkdir(resultsDir, { recursive: true });
    const file = join(resultsDir, `${now.toISOString().slice(0, 10)}-${options.size}.json`);
    await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${file}${options.keep ? `; work folder kept: ${workDir}` : ''}`);
    if (survivors.length > 0 || phases.some((phase) => phase.exitCode !== 0)) process.exitCode = 1;
  } finally {
    await registry.stop();
    if (!options.keep) await rm(workDir, { recursive: true, force: true });
  }
}

await main();
