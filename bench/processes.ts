// Each measured run is a fresh process: the cleaner as users start it, and the bare client.
import { spawn } from 'node:child_process';
import { closeSync, cpSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BareOutput } from './bare-client.js';
import type { PlannedRequest, RequestCounts } from './floor.js';

export const CLI = resolve(process.cwd(), 'dist/main.js');
/** Where the measured copy of dist/ goes: inside the project, so that node_modules resolves. */
const SNAPSHOT = resolve(process.cwd(), 'build/bench/cli');
let cli = CLI;

/**
 * Copies dist/ aside and measures that copy: a rebuild of dist/ during a long benchmark (another
 * checkout's `npm test` in the same folder) must not change what the later runs execute.
 */
export function snapshotCli(): string {
  rmSync(SNAPSHOT, { recursive: true, force: true });
  cpSync(dirname(CLI), SNAPSHOT, { recursive: true });
  cli = join(SNAPSHOT, 'main.js');
  return cli;
}
export const BARE_CLIENT = resolve(process.cwd(), 'build/bench/bare-client.js');

/** What the cleaner writes to REG_CLEANER_STATS_FILE (src/adapters/registry/stats-file.ts). */
export interface CleanerStats {
  readonly requests: RequestCounts;
  readonly retries: number;
  readonly maxRssBytes: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
}

export interface CleanerRun {
  readonly exitCode: number | null;
  readonly wallMs: number;
  readonly stats: CleanerStats;
}

interface Exited {
  readonly exitCode: number | null;
  readonly wallMs: number;
}

function run(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  output: string,
): Promise<Exited> {
  const stdout = openSync(`${output}.out`, 'w');
  const stderr = openSync(`${output}.err`, 'w');
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', stdout, stderr] });
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const wallMs = performance.now() - started;
      closeSync(stdout);
      closeSync(stderr);
      resolvePromise({ exitCode: code, wallMs });
    });
  });
}

/** `node dist/main.js` in `workDir` (config/, the state folder, logs/ inside), output to files. */
export async function runCleaner(
  workDir: string,
  name: string,
  dryRun: boolean,
  stateDir = 'cache',
): Promise<CleanerRun> {
  const statsFile = join(workDir, `${name}.stats.json`);
  const args = [
    cli,
    '--config-dir',
    join(workDir, 'config'),
    '--state-dir',
    join(workDir, stateDir),
    '--logs-dir',
    join(workDir, 'logs'),
    ...(dryRun ? ['--debug'] : []),
  ];
  const env = { PATH: process.env['PATH'] ?? '', REG_CLEANER_STATS_FILE: statsFile };
  const exited = await run(args, workDir, env, join(workDir, name));
  let stats: CleanerStats;
  try {
    stats = JSON.parse(readFileSync(statsFile, 'utf8')) as CleanerStats;
  } catch {
    const stderr = readFileSync(join(workDir, `${name}.err`), 'utf8').slice(-2000);
    throw new Error(`the ${name} run wrote no stats (exit ${String(exited.exitCode)}):\n${stderr}`);
  }
  return { ...exited, stats };
}

export interface BareRun {
  readonly wallMs: number;
  readonly requestMs: number;
  readonly statuses: Record<string, number>;
}

export async function runBareClient(
  workDir: string,
  name: string,
  baseUrl: string,
  concurrency: number,
  requests: readonly PlannedRequest[],
): Promise<BareRun> {
  const input = join(workDir, `${name}.requests.json`);
  writeFileSync(
    input,
    JSON.stringify({
      baseUrl,
      concurrency,
      requests: requests.map(({ method, path }) => ({ method, path })),
    }),
  );
  const output = join(workDir, name);
  const exited = await run(
    [BARE_CLIENT, input],
    workDir,
    { PATH: process.env['PATH'] ?? '' },
    output,
  );
  if (exited.exitCode !== 0) {
    throw new Error(`bare client failed: ${readFileSync(`${output}.err`, 'utf8').slice(-2000)}`);
  }
  const result = JSON.parse(readFileSync(`${output}.out`, 'utf8')) as BareOutput;
  return { wallMs: exited.wallMs, requestMs: result.requestMs, statuses: result.statuses };
}
