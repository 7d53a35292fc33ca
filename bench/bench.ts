// npm run bench [-- --registry real|synthetic] [--size small|large] [--repos R --tags T]
//                  [--concurrency N] [--repeat K] [--until cold|warm|real] [--seed http|fs]
//                  [--latency MS] [--no-bare] [--keep]
// Starts the real registry (test/support) and seeds R x T tags, or starts the synthetic one
// (bench/synthetic: answers computed from the names), then measures in fresh processes a cold
// dry run, a warm dry run and a real run of the built CLI, plus the bare client on the floor's
// request lists (real registry only). With --latency MS the dry runs (cleaner and bare client)
// are measured a second time through a loopback proxy holding each request MS ms
// (bench/latency/), which also samples the requests in flight. Prints a table and writes
// bench/results/<date>-<size>[-synthetic].json.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClassifiedLog } from './access-log.js';
import type { BenchJob } from './dataset.js';
import { countByKind, REQUEST_KINDS, type PlannedRequest, type RequestCounts } from './floor.js';
import {
  BARE_CLIENT,
  CLI,
  runBareClient,
  runCleaner,
  snapshotCli,
  type BareRun,
} from './processes.js';
import { startLatencyProxy, type LatencyProxy } from './latency/proxy-process.js';
import type { ProxyStats } from './latency/proxy.js';
import { startRealTarget } from './real-target.js';
import { startSyntheticTarget } from './synthetic/target.js';
import { renderTable, type TablePhase } from './table.js';
import type { BenchTarget, PhaseName } from './target.js';

const SIZES = {
  small: { repositories: 10, tags: 200 },
  large: { repositories: 100, tags: 1000 },
} as const;
/** Above this many tags the API push takes minutes: the filesystem is seeded instead. */
const HTTP_SEED_LIMIT = 5000;

interface Options {
  readonly registry: 'real' | 'synthetic';
  readonly size: string;
  readonly repositories: number;
  readonly tags: number;
  readonly concurrency: number;
  readonly repeat: number;
  /** The last phase to run (each needs the one before). */
  readonly until: PhaseName;
  readonly seed: 'http' | 'fs';
  readonly keep: boolean;
  readonly bare: boolean;
  /** Also measure the dry runs through the latency proxy, holding each request this many ms. */
  readonly latencyMs: number | undefined;
}

const USAGE =
  'usage: npm run bench -- [--registry real|synthetic] [--size small|large] [--repos R --tags T]\n' +
  '                        [--concurrency N] [--repeat K] [--until cold|warm|real]\n' +
  '                        [--seed http|fs] [--latency MS] [--no-bare] [--keep]\n';

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      registry: { type: 'string', default: 'real' },
      size: { type: 'string', default: 'small' },
      repos: { type: 'string' },
      tags: { type: 'string' },
      concurrency: { type: 'string', default: '20' },
      repeat: { type: 'string', default: '1' },
      until: { type: 'string', default: 'real' },
      seed: { type: 'string' },
      latency: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'no-bare': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const registry = values.registry;
  if (registry !== 'real' && registry !== 'synthetic') {
    throw new Error(`--registry must be real or synthetic, got ${registry}\n${USAGE}`);
  }
  const until = values.until;
  if (until !== 'cold' && until !== 'warm' && until !== 'real') {
    throw new Error(`--until must be cold, warm or real, got ${until}\n${USAGE}`);
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
    registry,
    size: custom ? `${String(repositories)}x${String(tags)}` : size,
    repositories,
    tags,
    concurrency: positive('concurrency', values.concurrency, 20),
    repeat: positive('repeat', values.repeat, 1),
    until,
    seed,
    keep: values.keep,
    // The bare client replays the floor's request lists, which the synthetic floor only counts.
    bare: !values['no-bare'] && registry === 'real',
    latencyMs: values.latency === undefined ? undefined : positive('latency', values.latency, 0),
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
  readonly registryCpuMs?: number;
  readonly registryConnections?: number;
  /** Peak RSS as polled from /proc (a cross-check, and all there is after a crash). */
  readonly polledMaxRssBytes: number;
  /** Set when the process wrote no stats (it crashed): the end of its stderr. */
  readonly crash?: string;
  /** What the latency proxy saw of the run, when it ran through it. */
  readonly network?: ProxyStats;
}

/** A bare client run, with what the latency proxy saw of it when it ran through it. */
interface BareSample extends BareRun {
  readonly network?: ProxyStats;
}

/** Where a run sends its requests: straight to the registry, or through the latency proxy. */
interface Route {
  readonly configDir: string;
  readonly url: string;
  readonly proxy?: LatencyProxy;
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

/** The signal and the line that says why (V8's "FATAL ERROR: ... heap out of memory"). */
function crashSummary(signal: NodeJS.Signals | null, stderr: string): string {
  const lines = stderr.trim().split('\n');
  const why = lines.find((line) => /FATAL ERROR|Error:/.test(line)) ?? lines.at(-1) ?? '';
  return `${signal ?? 'exit'}: ${why.trim()}`;
}

async function sampleCleaner(
  target: BenchTarget,
  workDir: string,
  name: string,
  dryRun: boolean,
  stateDir: string,
  route: Route,
): Promise<CleanerSample> {
  const observed = await target.observe();
  await route.proxy?.reset();
  const run = await runCleaner(workDir, name, dryRun, stateDir, route.configDir);
  const network = await route.proxy?.stats();
  const { log, registryCpuMs, registryConnections } = await observed();
  const stats = run.stats;
  return {
    exitCode: run.exitCode,
    wallMs: run.wallMs,
    maxRssBytes: stats?.maxRssBytes ?? run.observed.maxRssBytes,
    cpuMs: stats === undefined ? run.observed.cpuMs : stats.cpuUserMs + stats.cpuSystemMs,
    requests: stats?.requests ?? countByKind([]),
    retries: stats?.retries ?? 0,
    accessLog: log,
    ...(registryCpuMs === undefined ? {} : { registryCpuMs }),
    ...(registryConnections === undefined ? {} : { registryConnections }),
    polledMaxRssBytes: run.observed.maxRssBytes,
    ...(stats === undefined ? { crash: crashSummary(run.signal, run.stderrTail ?? '') } : {}),
    ...(network === undefined ? {} : { network }),
  };
}

/** A phase's runs and bare runs, alternated so that both see the same background load. */
interface Phase {
  /** The phase, with `@<MS>ms` when its runs go through the latency proxy. */
  readonly name: string;
  readonly floor: RequestCounts;
  readonly runs: CleanerSample[];
  readonly bare: BareSample[];
}

interface PhaseSummary extends TablePhase {
  readonly polledMaxRssBytes: number;
  readonly sameCountsEveryRun: boolean;
  readonly samplesMs: readonly number[];
}

/** Medians of what the latency proxy saw, when the runs went through it. */
function networkSummary(runs: readonly { readonly network?: ProxyStats }[]):
  | {
      readonly meanInFlight: number;
      readonly firstRequestMs: number;
      readonly lastAnswerMs: number;
    }
  | undefined {
  const seen = runs.flatMap((run) => (run.network === undefined ? [] : [run.network]));
  if (seen.length === 0) return undefined;
  return {
    meanInFlight: Number(median(seen.map((network) => network.meanInFlight)).toFixed(2)),
    firstRequestMs: Math.round(median(seen.map((network) => network.firstRequestMs))),
    lastAnswerMs: Math.round(median(seen.map((network) => network.lastAnswerMs))),
  };
}

function summarise(phase: Phase): PhaseSummary {
  const last = phase.runs.at(-1);
  if (last === undefined) throw new Error(`no run in phase ${phase.name}`);
  const wallMs = median(phase.runs.map((run) => run.wallMs));
  const bareMs = phase.bare.length === 0 ? undefined : median(phase.bare.map((run) => run.wallMs));
  const floor = phase.floor;
  const cpuMs = Math.round(median(phase.runs.map((run) => run.cpuMs)));
  const network = networkSummary(phase.runs);
  const bareNetwork = networkSummary(phase.bare);
  const registryCpu = phase.runs.flatMap((run) =>
    run.registryCpuMs === undefined ? [] : [run.registryCpuMs],
  );
  return {
    name: phase.name,
    exitCode: phase.runs.every((run) => run.exitCode === 0) ? 0 : (last.exitCode ?? -1),
    wallMs: Math.round(wallMs),
    maxRssBytes: Math.max(...phase.runs.map((run) => run.maxRssBytes)),
    polledMaxRssBytes: Math.max(...phase.runs.map((run) => run.polledMaxRssBytes)),
    cpuMs,
    requests: last.requests,
    requestsTotal: total(last.requests),
    // The client's throughput on its own: requests per second of its CPU (median run).
    requestsPerCpuSecond: cpuMs === 0 ? 0 : Math.round((total(last.requests) * 1000) / cpuMs),
    ...(registryCpu.length === 0 ? {} : { registryCpuMs: Math.round(median(registryCpu)) }),
    ...(last.registryConnections === undefined
      ? {}
      : { registryConnections: last.registryConnections }),
    floor,
    floorTotal: total(floor),
    accessLog: last.accessLog,
    sameCountsEveryRun: phase.runs.every(
      (run) => JSON.stringify(run.requests) === JSON.stringify(last.requests),
    ),
    samplesMs: phase.runs.map((run) => Math.round(run.wallMs)),
    ...(network === undefined ? {} : { network }),
    ...(bareMs === undefined
      ? {}
      : {
          bare: {
            wallMs: Math.round(bareMs),
            requestMs: Math.round(median(phase.bare.map((run) => run.requestMs))),
            samplesMs: phase.bare.map((run) => Math.round(run.wallMs)),
            statuses: phase.bare.at(-1)?.statuses ?? {},
            ...(bareNetwork === undefined ? {} : { network: bareNetwork }),
          },
          ratioToBare: Number((wallMs / bareMs).toFixed(3)),
        }),
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
  const start = options.registry === 'real' ? startRealTarget : startSyntheticTarget;
  const target = await start({
    repositories: options.repositories,
    tags: options.tags,
    seed: options.seed,
    now,
    log,
  });
  const workDir = await mkdtemp(join(tmpdir(), 'reg-cleaner-bench-'));
  let proxy: LatencyProxy | undefined;
  try {
    const writeConfig = async (configDir: string, url: string): Promise<void> => {
      await mkdir(join(workDir, configDir), { recursive: true });
      await writeFile(
        join(workDir, configDir, 'config.yaml'),
        `registry_url: ${url}\ntimeout: 60\nmax_concurrent_requests: ${String(options.concurrency)}\n`,
      );
      await writeFile(join(workDir, configDir, 'manual.yaml'), jobYaml(target.job));
    };
    const direct: Route = { configDir: 'config', url: target.url };
    await writeConfig(direct.configDir, direct.url);
    if (options.latencyMs !== undefined) {
      proxy = await startLatencyProxy(target.url, options.latencyMs);
      log(`latency proxy ${proxy.url}: each request held ${String(options.latencyMs)} ms`);
    }
    const delayed: Route | undefined =
      proxy === undefined ? undefined : { configDir: 'config-latency', url: proxy.url, proxy };
    if (delayed !== undefined) await writeConfig(delayed.configDir, delayed.url);
    const inFlight = (network: ProxyStats | undefined): string =>
      network === undefined ? '' : `, ${network.meanInFlight.toFixed(1)} in flight`;

    const bare = async (
      name: string,
      list: readonly PlannedRequest[],
      route: Route,
    ): Promise<BareSample> => {
      await route.proxy?.reset();
      const run = await runBareClient(workDir, name, route.url, options.concurrency, list);
      const network = await route.proxy?.stats();
      log(`  bare client, ${name}: ${(run.wallMs / 1000).toFixed(2)}s${inFlight(network)}`);
      return network === undefined ? run : { ...run, network };
    };
    const cleaner = async (
      name: string,
      dryRun: boolean,
      state: string,
      route: Route = direct,
    ): Promise<CleanerSample> => {
      const run = await sampleCleaner(target, workDir, name, dryRun, state, route);
      log(
        `  ${name}: ${(run.wallMs / 1000).toFixed(2)}s, ${String(total(run.requests))} requests${inFlight(run.network)}`,
      );
      if (run.crash !== undefined) {
        const crash = `${name} wrote no stats (${run.crash}) after ${String(total(run.accessLog.counts))} requests (registry's count), peak RSS ${String(Math.round(run.polledMaxRssBytes / 1048576))} MB`;
        crashes.push(crash);
        log(`  ${crash}`);
      }
      return run;
    };
    // A crashed run (e.g. out of memory) ends the measurement: what ran so far is reported.
    const crashes: string[] = [];
    const cold: Phase = { name: 'cold', floor: target.floor.cold, runs: [], bare: [] };
    const warm: Phase = { name: 'warm', floor: target.floor.warm, runs: [], bare: [] };
    const real: Phase = { name: 'real', floor: target.floor.real, runs: [], bare: [] };
    // Through the proxy: their own state folders (the cache is the registry URL's).
    const latency = `@${String(options.latencyMs)}ms`;
    const coldDelayed: Phase = { ...cold, name: `cold${latency}`, runs: [], bare: [] };
    const warmDelayed: Phase = { ...warm, name: `warm${latency}`, runs: [], bare: [] };
    const lists = options.bare ? target.requestLists : undefined;
    const go = (phase: PhaseName): boolean =>
      crashes.length === 0 &&
      (phase === 'cold' ||
        (phase === 'warm' ? options.until !== 'cold' : options.until === 'real'));
    log('cold dry runs (empty state folder each)');
    for (let index = 0; index < options.repeat && crashes.length === 0; index++) {
      const at = String(index);
      cold.runs.push(await cleaner(`cold-${at}`, true, `state-${at}`));
      if (lists) cold.bare.push(await bare(`bare-cold-${at}`, lists.cold, direct));
      // A crash ends the measurement (the loop's condition), the delayed run included.
      if (delayed === undefined || !go('cold')) continue;
      coldDelayed.runs.push(
        await cleaner(`cold-latency-${at}`, true, `state-latency-${at}`, delayed),
      );
      if (lists) coldDelayed.bare.push(await bare(`bare-cold-latency-${at}`, lists.cold, delayed));
    }
    const state = `state-${String(options.repeat - 1)}`;
    if (go('warm')) log('warm dry runs (state of the last cold run)');
    for (let index = 0; index < options.repeat && go('warm'); index++) {
      const at = String(index);
      warm.runs.push(await cleaner(`warm-${at}`, true, state));
      if (lists) warm.bare.push(await bare(`bare-warm-${at}`, lists.warm, direct));
      if (delayed === undefined || !go('warm')) continue;
      const delayedState = `state-latency-${String(options.repeat - 1)}`;
      warmDelayed.runs.push(await cleaner(`warm-latency-${at}`, true, delayedState, delayed));
      if (lists) warmDelayed.bare.push(await bare(`bare-warm-latency-${at}`, lists.warm, delayed));
    }
    if (go('real')) {
      log('real run');
      real.runs.push(await cleaner('real', false, state));
    }
    // Checked after a complete real run; a crash is a failure, --until before real is not.
    const survivors =
      real.runs.length === 1 && crashes.length === 0
        ? await target.checkSurvivors()
        : crashes.length > 0
          ? ['not checked: a run crashed']
          : [];
    const survivorsChecked = real.runs.length === 1 && crashes.length === 0;
    const measured = [cold, coldDelayed, warm, warmDelayed, real];
    const phases = measured.filter((phase) => phase.runs.length > 0).map(summarise);

    const load = loadavg();
    const result = {
      date: now.toISOString(),
      registry: options.registry,
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
      ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
      repeat: options.repeat,
      until: options.until,
      job: target.job,
      dataset: target.dataset,
      seeding: target.seeding,
      phases,
      registryProcess: await target.describe(),
      checks: {
        ...(crashes.length === 0 ? {} : { crashes }),
        survivors: survivors.length > 0 ? survivors : survivorsChecked ? 'ok' : 'no real run',
        countsMatchAccessLog: measured.every((phase) =>
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
    const suffix =
      (options.registry === 'real' ? '' : `-${options.registry}`) +
      (options.latencyMs === undefined ? '' : `-${String(options.latencyMs)}ms`);
    const file = join(
      resultsDir,
      `${now.toISOString().slice(0, 10)}-${options.size}${suffix}.json`,
    );
    await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${file}${options.keep ? `; work folder kept: ${workDir}` : ''}`);
    if (survivors.length > 0 || phases.some((phase) => phase.exitCode !== 0)) process.exitCode = 1;
  } finally {
    await proxy?.stop();
    await target.stop();
    if (!options.keep) await rm(workDir, { recursive: true, force: true });
  }
}

await main();
