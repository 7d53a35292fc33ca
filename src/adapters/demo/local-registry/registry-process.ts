import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Agent } from 'node:http';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { send } from '../image-push/http-request.js';
import { onProcessExit, terminate } from './process-cleanup.js';

// Starts Debian's `docker-registry` (CNCF distribution 2.8) as a child process tied to ours: the
// demo's throw-away registry, and the tests' and the benchmark's (testkit/registry-server.ts).

/** Override with REG_CLEANER_REGISTRY_BIN to run another build of distribution. */
export const REGISTRY_BINARY = process.env['REG_CLEANER_REGISTRY_BIN'] ?? 'docker-registry';

/** Query parameter that marks the launcher's own probes, so that access logs can leave them out. */
export const SUPPORT_MARKER = 'reg-cleaner-support';

const READY_TIMEOUT_MS = 15_000;
const POLL_INTERVAL_MS = 20;
const STDERR_TAIL_LINES = 30;

export class AddressInUseError extends Error {}

export interface RegistryProcess {
  pid: number;
  /** The registry's stdout (its access log when enabled), when launched with `stdout: 'pipe'`. */
  stdout: Readable | undefined;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

function unref(stream: Readable | null): void {
  // Pipes to a child are net.Sockets; unref'd, they do not keep a test process alive.
  if (stream instanceof Socket) stream.unref();
}

function spawnRegistry(configFile: string, stdout: 'pipe' | 'ignore'): ChildProcess {
  const args = ['serve', configFile];
  const stdio: ['ignore', 'pipe' | 'ignore', 'pipe'] = ['ignore', stdout, 'pipe'];
  // setpriv (util-linux) sets PR_SET_PDEATHSIG and execs the registry, so the kernel kills it
  // even when our process is SIGKILLed; the pid stays the registry's own.
  if (existsSync('/usr/bin/setpriv')) {
    return spawn('/usr/bin/setpriv', ['--pdeathsig', 'SIGKILL', REGISTRY_BINARY, ...args], {
      stdio,
    });
  }
  return spawn(REGISTRY_BINARY, args, { stdio });
}

/**
 * Starts `docker-registry serve configFile` and waits until `GET /v2/` answers (any status).
 * With `stdout: 'pipe'` the caller must read `stdout`, or the registry blocks once the pipe is full.
 */
export async function launchRegistry(
  configFile: string,
  url: string,
  agent: Agent,
  options: { stdout: 'pipe' | 'ignore' } = { stdout: 'pipe' },
): Promise<RegistryProcess> {
  const child = spawnRegistry(configFile, options.stdout);
  const forgetExitCleanup = onProcessExit(() => child.kill('SIGKILL'));
  child.unref();
  unref(child.stdout);
  unref(child.stderr);

  const stderrLines: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderrLines.push(...chunk.split('\n').filter((line) => line !== ''));
    stderrLines.splice(0, Math.max(0, stderrLines.length - STDERR_TAIL_LINES));
  });
  const stdout = child.stdout ?? undefined;

  // An object, not a `let`: the flag flips inside callbacks, which flow analysis does not see.
  const state: { exited: boolean; spawnError?: Error } = { exited: false };
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      state.exited = true;
      forgetExitCleanup();
      resolve();
    });
    child.once('error', (error) => {
      state.exited = true;
      state.spawnError = error;
      forgetExitCleanup();
      resolve();
    });
  });

  const stop = (): Promise<void> => terminate(child, exited, state.exited);

  const deadline = Date.now() + READY_TIMEOUT_MS;
  const probeUrl = new URL(`/v2/?${SUPPORT_MARKER}=ready`, url);
  for (;;) {
    if (state.exited) {
      const tail = stderrLines.join('\n');
      if (tail.includes('address already in use')) throw new AddressInUseError(tail);
      if (state.spawnError !== undefined)
        throw new Error(`could not start ${REGISTRY_BINARY}: ${state.spawnError.message}`);
      throw new Error(`${REGISTRY_BINARY} exited during start-up:\n${tail}`);
    }
    try {
      await send({ method: 'GET', url: probeUrl, agent, timeoutMs: 2_000 });
      // setpriv execs, so this is the registry's own pid.
      return { pid: child.pid ?? -1, stdout, exited, stop };
    } catch {
      // Not listening yet: poll again until the deadline.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `docker-registry did not answer ${probeUrl.href} within ${READY_TIMEOUT_MS} ms:\n${stderrLines.join('\n')}`,
      );
    }
    await delay(POLL_INTERVAL_MS);
  }
}
