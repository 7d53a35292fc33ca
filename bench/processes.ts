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
  /** The signal that ended it, if one did (an out-of-memory abort: SIGABRT). */
  readonly signal: NodeJS.Signals | null;
  readonly wallMs: number;
  /** undefined when the process wrote none (it crashed, e.g. out of memory). */
  readonly stats: CleanerStats | undefined;
  /** Peak RSS and CPU as last seen in /proc while it ran (Linux; 0 elsewhere). */
  readonly observed: { readonly maxRssBytes: number; readonly cpuMs: number };
  /** The end of its stderr, when it wrote no stats. */
  readonly stderrTail?: string;
}

interface Exited {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly wallMs: number;
  readonly observed: { readonly maxRssBytes: number; readonly cpuMs: number };
}

/** Clock ticks per second of /proc/<pid>/stat on Linux. */
const TICKS_PER_SECOND = 100;

/**
 * Peak RSS (VmHWM) and CPU of a running process, from /proc: a process that dies of an
 * out-of-memory abort writes no stats file, and its peak is exactly what one wants to know.
 */
function sampleProc(pid: number, last: { maxRssBytes: number; cpuMs: number }): void {
  try {
    const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
    const peak = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    if (peak !== undefined) last.maxRssBytes = Math.max(last.maxRssBytes, Number(peak) * 1024);
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): utime is 14th, stime 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    if (Number.isFinite(ticks)) last.cpuMs = (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    // Not Linux, or the process is gone.
  }
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
  const observed = { maxRssBytes: 0, cpuMs: 0 };
  const pid = child.pid;
  const poll =
    pid === undefined
      ? undefined
      : setInterval(() => {
          sampleProc(pid, observed);
        }, 1000);
  return new Promise((resolvePromise, reject) => {
    child.once('error', (error) => {
      clearInterval(poll);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      const wallMs = performance.now() - started;
      clearInterval(poll);
      closeSync(stdout);
      closeSync(stderr);
      resolvePromise({ exitCode: code, signal, wallMs, observed });
    });
  });
}

/**
 * `node dist/main.js` in `workDir` (the config folder, the state folder, logs/ inside), output to
 * files.
 */
export async function runCleaner(
  workDir: string,
  name: string,
  dryRun: boolean,
  stateDir = 'cache',
  configDir = 'config',
): Promise<CleanerRun> {
  const statsFile = join(workDir, `${name}.stats.json`);
  const args = [
    cli,
    '--config-dir',
    join(workDir, configDir),
    '--state-dir',
    join(workDir, stateDir),
    '--logs-dir',
    join(workDir, 'logs'),
    ...(dryRun ? ['--debug'] : []),
  ];
  const env = { PATH: process.env['PATH'] ?? '', REG_CLEANER_STATS_FILE: statsFile };
  const exited = await run(args, workDir, env, join(workDir, name));
  try {
    return { ...exited, stats: JSON.parse(readFileSync(statsFile, 'utf8')) as CleanerStats };
  } catch {
    const stderrTail = readFileSync(join(workDir, `${name}.err`), 'utf8').slice(-2000);
    return { ...exited, stats: undefined, stderrTail };
  }
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
