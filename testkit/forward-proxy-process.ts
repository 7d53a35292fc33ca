import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { findFreePort } from './free-port.js';
import { onProcessExit, terminate } from './process-cleanup.js';

/**
 * What Debian's tinyproxy and squid have in common for the tests of issue 13: each runs in the
 * foreground from a temp dir with a generated config, on 127.0.0.1 and a free port, and keeps its
 * own log of the requests it forwarded, which a test reads to see that the traffic went through it.
 */
export interface ForwardProxyCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * A proxy's binary: `override` (its REG_CLEANER_*_BIN variable) when set, else where Debian
 * installs it if it is there (/usr/sbin is not on every user's PATH), else its name on the PATH.
 */
export function proxyBinary(override: string | undefined, debianPath: string): string {
  return override ?? (existsSync(debianPath) ? debianPath : basename(debianPath));
}

/** One request in the proxy's own log. */
export interface ProxyLogEntry {
  /** GET, HEAD, DELETE... or CONNECT. */
  readonly method: string;
  /** The absolute URL, or `host:port` for CONNECT. */
  readonly target: string;
  /** The status the proxy answered, where its log says it (squid's does, tinyproxy's does not). */
  readonly status: number | undefined;
}

export interface RunningForwardProxy {
  readonly name: string;
  /** `http://[user:password@]127.0.0.1:PORT`, for config.yaml's `proxy`. */
  readonly url: string;
  readonly pid: number;
  /**
   * The requests the proxy logged. The log may lag (squid logs a tunnel once it closed): with
   * `until`, waits until the entries satisfy it (up to 10 s) and returns them either way.
   */
  accessLog(until?: (entries: readonly ProxyLogEntry[]) => boolean): Promise<ProxyLogEntry[]>;
  /** Stops the proxy and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface ProxyFlavour {
  readonly name: string;
  readonly binary: string;
  /** Writes the config for `port` into `dir` and returns the arguments to start it in the foreground. */
  prepare(dir: string, port: number): Promise<readonly string[]>;
  /** Run the proxy as this user (squid refuses to run as root). */
  readonly user?: string;
  /** The file whose text says whether the proxy listens yet. */
  readonly startupLog: string;
  readonly ready: RegExp;
  /** A line of the start-up log saying that the port was taken: try another. */
  readonly addressInUse: RegExp;
  readonly accessLogFile: string;
  parseAccessLog(text: string): ProxyLogEntry[];
}

const READY_TIMEOUT_MS = 20_000;
const LOG_WAIT_MS = 10_000;
const POLL_MS = 25;
const PORT_ATTEMPTS = 5;

class AddressInUse extends Error {}

function unref(stream: Readable | null): void {
  if (stream instanceof Socket) stream.unref();
}

function spawnProxy(flavour: ProxyFlavour, args: readonly string[]): ChildProcess {
  const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
  if (!existsSync('/usr/bin/setpriv')) return spawn(flavour.binary, args, { stdio });
  // A parent-death signal, so that the proxy never outlives a SIGKILLed test process; setpriv
  // sets it after switching user, so it survives the switch.
  const user =
    flavour.user === undefined
      ? []
      : [`--reuid=${flavour.user}`, `--regid=${flavour.user}`, '--clear-groups'];
  return spawn('/usr/bin/setpriv', [...user, '--pdeathsig', 'SIGKILL', flavour.binary, ...args], {
    stdio,
  });
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return ''; // not written yet
  }
}

async function launch(
  flavour: ProxyFlavour,
  dir: string,
  port: number,
): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  const args = await flavour.prepare(dir, port);
  // A failed attempt's log must not speak for this one.
  await rm(flavour.startupLog, { force: true });
  const child = spawnProxy(flavour, args);
  const forgetKill = onProcessExit(() => child.kill('SIGKILL'));
  child.unref();
  unref(child.stdout);
  unref(child.stderr);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const state: { exited: boolean } = { exited: false };
  const exited = new Promise<void>((resolve) => {
    const done = (): void => {
      state.exited = true;
      forgetKill();
      resolve();
    };
    child.once('exit', done);
    child.once('error', done);
  });
  const stop = (): Promise<void> => terminate(child, exited, state.exited);

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const log = (await readText(flavour.startupLog)) + output;
    if (flavour.addressInUse.test(log)) {
      await stop();
      throw new AddressInUse(log);
    }
    if (flavour.ready.test(log)) return { child, stop };
    if (state.exited || Date.now() > deadline) {
      await stop();
      throw new Error(`${flavour.name} did not start on 127.0.0.1:${String(port)}:\n${log}`);
    }
    await delay(POLL_MS);
  }
}

/** Starts `flavour` in `dir` (a fresh temp dir it then owns) on a free port of 127.0.0.1. */
export async function startForwardProxy(
  flavour: ProxyFlavour,
  dir: string,
  credentials: ForwardProxyCredentials | undefined,
): Promise<RunningForwardProxy> {
  const forgetDir = onProcessExit(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  let launched: Awaited<ReturnType<typeof launch>> | undefined;
  let port = 0;
  try {
    for (let attempt = 1; launched === undefined; attempt++) {
      port = await findFreePort();
      try {
        launched = await launch(flavour, dir, port);
      } catch (error) {
        // Another process took the port between findFreePort() and the proxy's bind.
        if (!(error instanceof AddressInUse) || attempt >= PORT_ATTEMPTS) throw error;
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    forgetDir();
    throw error;
  }
  const { child, stop } = launched;
  const userinfo =
    credentials === undefined
      ? ''
      : `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@`;
  let stopped: Promise<void> | undefined;
  return {
    name: flavour.name,
    url: `http://${userinfo}127.0.0.1:${String(port)}`,
    pid: child.pid ?? -1,
    accessLog: async (until) => {
      const deadline = Date.now() + LOG_WAIT_MS;
      for (;;) {
        const entries = flavour.parseAccessLog(await readText(flavour.accessLogFile));
        if (until === undefined || until(entries) || Date.now() > deadline) return entries;
        await delay(POLL_MS);
      }
    },
    stop: () => {
      stopped ??= stop().then(async () => {
        await rm(dir, { recursive: true, force: true });
        forgetDir();
      });
      return stopped;
    },
  };
}
