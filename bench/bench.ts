// npm run bench [-- --size small|large] [--repos R --tags T] [--concurrency N] [--keep]
// Starts the real registry (test/support), seeds R x T tags, then measures in fresh processes a
// cold dry run, a warm dry run and a real run of the built CLI, plus the bare client on the
// floor's request lists. Prints a table and writes bench/results/<date>-<size>.json.
import { cpus, freemem, totalmem, tmpdir } from 'node:os';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { listTags } from '../test/support/push-image.js';
import { startRegistry, type RunningRegistry } from '../test/support/registry-server.js';
import { classify, type ClassifiedLog } from './access-log.js';
import { buildDataset, type BuiltRepository } from './content.js';
import { generateDataset, type BenchJob, type Dataset } from './dataset.js';
import {
  computeFloor,
  countByKind,
  REQUEST_KINDS,
  type Floor,
  type PlannedRequest,
  type RequestCounts,
} from './floor.js';
import { mapPool } from './pool.js';
import {
  BARE_CLIENT,
  CLI,
  runBareClient,
  runCleaner,
  type BareRun,
  type CleanerRun,
} from './processes.js';
import { seedDataset } from './seed.js';
import { renderTable } from './table.js';

const SIZES = {
  small: { repositories: 10, tags: 200 },
  large: { repositories: 100, tags: 1000 },
} as const;
type Size = keyof typeof SIZES | 'custom';

interface Options {
  readonly size: Size;
  readonly repositories: number;
  readonly tags: number;
  readonly concurrency: number;
  readonly keep: boolean;
  readonly bare: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      size: { type: 'string', default: 'small' },
      repos: { type: 'string' },
      tags: { type: 'string' },
      concurrency: { type: 'string', default: '20' },
      keep: { type: 'boolean', default: false },
      'no-bare': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run bench -- [--size small|large] [--repos R --tags T] [--concurrency N] [--keep] [--no-bare]\n',
    );
    process.exit(0);
  }
  const size = values.size;
  if (size !== 'small' && size !== 'large')
    throw new Error(`--size must be small or large, got ${size}`);
  const custom = values.repos !== undefined || values.tags !== undefined;
  const positive = (name: string, text: string | undefined, fallback: number): number => {
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${name} must be a positive integer`);
    return value;
  };
  return {
    size: custom ? 'custom' : size,
    repositories: positive('repos', values.repos, SIZES[size].repositories),
    tags: positive('tags', values.tags, SIZES[size].tags),
    concurrency: positive('concurrency', values.concurrency, 20),
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
    `  save_last: ${job.saveLast}`,
    `  older_than_days: ${job.olderThanDays}`,
    '',
  ].join('\n');
}

interface PhaseResult {
  readonly name: 'cold' | 'warm' | 'real';
  readonly dryRun: boolean;
  readonly exitCode: number | null;
  readonly wallMs: number;
  readonly maxRssBytes: number;
  readonly cpuMs: number;
  readonly requests: RequestCounts;
  readonly retries: number;
  readonly accessLog: ClassifiedLog;
  readonly floor: RequestCounts;
  readonly bare?: BareRun;
}

function total(counts: RequestCounts): number {
  return REQUEST_KINDS.reduce((sum, kind) => sum + counts[kind], 0);
}

async function measure(
  registry: RunningRegistry,
  workDir: string,
  name: PhaseResult['name'],
  floorList: readonly PlannedRequest[],
): Promise<PhaseResult> {
  const dryRun = name !== 'real';
  await registry.resetAccessLog();
  const tokensBefore = registry.tokenRequests().length;
  const run: CleanerRun = await runCleaner(workDir, name, dryRun);
  const accessLog = classify(
    await registry.accessLog(),
    registry.tokenRequests().length - tokensBefore,
  );
  return {
    name,
    dryRun,
    exitCode: run.exitCode,
    wallMs: run.wallMs,
    maxRssBytes: run.stats.maxRssBytes,
    cpuMs: run.stats.cpuUserMs + run.stats.cpuSystemMs,
    requests: run.stats.requests,
    retries: run.stats.retries,
    accessLog,
    floor: countByKind(floorList),
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

function describeDataset(
  dataset: Dataset,
  built: readonly BuiltRepository[],
  floor: Floor,
): object {
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
    repositories: dataset.repositories.length,
    tags,
    distinctManifests: digests.size,
    indexes,
    repositoriesWithCandidates: floor.repositories.filter((plan) => plan.hasCandidates).length,
    matchingTags: floor.repositories.reduce((sum, plan) => sum + plan.matching.length, 0),
    deletions: floor.repositories.reduce((sum, plan) => sum + plan.deletions.length, 0),
    job: dataset.job,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  for (const file of [CLI, BARE_CLIENT]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: run npm run bench (it builds first)`);
  }
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
      `registry ${registry.url}; seeding ${String(options.repositories)} x ${String(options.tags)} tags`,
    );
    const seedStarted = performance.now();
    const seedRequests = await seedDataset(registry, built, 32);
    const seedMs = performance.now() - seedStarted;
    log(`seeded with ${String(seedRequests)} requests in ${(seedMs / 1000).toFixed(1)}s`);

    await mkdir(join(workDir, 'config'), { recursive: true });
    await writeFile(
      join(workDir, 'config', 'config.yaml'),
      `registry_url: ${registry.url}\ntimeout: 60\nmax_concurrent_requests: ${String(options.concurrency)}\n`,
    );
    await writeFile(join(workDir, 'config', 'manual.yaml'), jobYaml(dataset.job));

    const phases: PhaseResult[] = [];
    const cold = await measure(registry, workDir, 'cold', floor.cold);
    log(`cold dry run: ${(cold.wallMs / 1000).toFixed(2)}s`);
    const warm = await measure(registry, workDir, 'warm', floor.warm);
    log(`warm dry run: ${(warm.wallMs / 1000).toFixed(2)}s`);
    let bareCold: BareRun | undefined;
    let bareWarm: BareRun | undefined;
    if (options.bare) {
      bareCold = await runBareClient(
        workDir,
        'bare-cold',
        registry.url,
        options.concurrency,
        floor.cold,
      );
      log(`bare client, cold list: ${(bareCold.wallMs / 1000).toFixed(2)}s`);
      bareWarm = await runBareClient(
        workDir,
        'bare-warm',
        registry.url,
        options.concurrency,
        floor.warm,
      );
      log(`bare client, warm list: ${(bareWarm.wallMs / 1000).toFixed(2)}s`);
    }
    const real = await measure(registry, workDir, 'real', floor.real);
    log(`real run: ${(real.wallMs / 1000).toFixed(2)}s`);
    phases.push(
      bareCold === undefined ? cold : { ...cold, bare: bareCold },
      bareWarm === undefined ? warm : { ...warm, bare: bareWarm },
      real,
    );
    const survivors = await checkSurvivors(registry, built, floor);

    const result = {
      date: now.toISOString(),
      size: options.size,
      machine: {
        cores: cpus().length,
        cpu: cpus()[0]?.model ?? 'unknown',
        memoryBytes: totalmem(),
        freeMemoryBytes: freemem(),
        node: process.version,
      },
      concurrency: options.concurrency,
      dataset: describeDataset(dataset, built, floor),
      seeding: { requests: seedRequests, ms: Math.round(seedMs) },
      phases: phases.map((phase) => ({
        ...phase,
        wallMs: Math.round(phase.wallMs),
        requestsTotal: total(phase.requests),
        floorTotal: total(phase.floor),
        ...(phase.bare === undefined
          ? {}
          : { ratioToBare: Number((phase.wallMs / phase.bare.wallMs).toFixed(3)) }),
      })),
      checks: {
        survivors: survivors.length === 0 ? 'ok' : survivors,
        statsMatchAccessLog: phases.every((phase) =>
          REQUEST_KINDS.every((kind) => phase.requests[kind] === phase.accessLog.counts[kind]),
        ),
        atFloor: phases.every((phase) => total(phase.requests) === total(phase.floor)),
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
