// Child processes, ports and timing for the check. Every child is bounded by a timeout, and a
// pending sleep never holds the process open.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Echo the child's output, indented, as it comes (--verbose). */
  echo?: boolean;
  timeoutMs?: number;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunResult extends Finished {
  output: string;
}

/** `exit 2`, or the signal that ended it. */
export const exitText = (finished: Finished): string =>
  String(finished.code ?? finished.signal ?? 'unknown');

/** Starts a child whose stdout and stderr are collected in `output()` (and echoed if asked). */
export function startProcess(
  argv: readonly string[],
  options: RunOptions,
): { child: ChildProcess; output: () => string; exited: Promise<Finished> } {
  const [program = '', ...args] = argv;
  const child = spawn(program, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    if (options.echo === true) process.stdout.write(chunk.toString().replace(/^(?=.)/gm, '    | '));
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  // A child that cannot start (ENOENT) ends like one that failed, its error as the output.
  const exited = new Promise<Finished>((resolve) => {
    child.on('error', (error) => {
      output += error.message;
      resolve({ code: null, signal: null });
    });
    child.on('close', (code, signal) => {
      resolve({ code, signal });
    });
  });
  return { child, output: () => output, exited };
}

/** Runs a child to its end (SIGKILL after the timeout, 10 minutes unless told). */
export async function runProcess(argv: readonly string[], options: RunOptions): Promise<RunResult> {
  const { child, output, exited } = startProcess(argv, options);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
  try {
    return { ...(await exited), output: output() };
  } finally {
    clearTimeout(timer);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** Resolves after `ms`; unref'd so that a pending sleep never holds the process open. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** `12.3 s` since a Date.now() reading. */
export function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
