import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { launchOnFreePort } from '../src/adapters/demo/local-registry/launch-on-free-port.js';
import { AccessLogCollector, type AccessLogEntry } from './access-log.js';
import { createAgent, send } from './http-request.js';
import { onProcessExit } from './process-cleanup.js';
import { prepareAuth, type PreparedAuth } from './registry-auth-setup.js';
import { REGISTRY_BINARY, SUPPORT_MARKER } from './registry-process.js';
import type { TokenRequestRecord } from './token-server.js';

export type { AccessLogEntry } from './access-log.js';
export type { TokenRequestRecord } from './token-server.js';

export type RegistryAuthFlavour = 'none' | 'basic' | 'token';

export interface StartRegistryOptions {
  auth?: RegistryAuthFlavour;
  /** `storage.delete.enabled`; default true. false makes DELETE answer 405 UNSUPPORTED. */
  deleteEnabled?: boolean;
  /** Serve https with a self-signed certificate for 127.0.0.1; its PEM is at `caFile`. */
  tls?: boolean;
  /** Token flavour only. */
  token?: { grantDelete?: boolean; expiresInSeconds?: number };
}

export interface RunningRegistry {
  /** `http://127.0.0.1:PORT` (https with tls). */
  url: string;
  auth: RegistryAuthFlavour;
  /** Credentials for the basic and token flavours (the token server checks them). */
  username?: string;
  password?: string;
  caFile?: string;
  storageDir: string;
  /** The registry process, e.g. to check that it is gone. */
  pid: number;
  configFile: string;
  /** The token server's realm, token flavour only. */
  tokenRealm?: string;
  /** The refresh token (`identitytoken`) its OAuth2 grant accepts, token flavour only. */
  refreshToken?: string;
  /** Requests the registry itself saw, in completion order, the launcher's own probes left out. */
  accessLog(): Promise<AccessLogEntry[]>;
  /** Forgets the entries so far, e.g. after seeding, so a test sees only the requests under test. */
  resetAccessLog(): Promise<void>;
  /** Token requests the token server answered (always empty for other flavours). */
  tokenRequests(): TokenRequestRecord[];
  /** `docker-registry garbage-collect`; returns its output. Run it only while nothing writes. */
  garbageCollect(options?: { deleteUntagged?: boolean }): Promise<string>;
  /** Kills the registry (and token server) and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

const execFileAsync = promisify(execFile);

/** Starts Debian's docker-registry (CNCF distribution 2.8) on 127.0.0.1 in a fresh temp dir. */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<RunningRegistry> {
  const auth = options.auth ?? 'none';
  const dir = await mkdtemp(join(tmpdir(), 'reg-cleaner-registry-'));
  const forgetDirCleanup = onProcessExit(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const storageDir = join(dir, 'storage');
  const credentials = { username: 'cleaner', password: randomBytes(12).toString('hex') };
  let prepared: PreparedAuth | undefined;
  let agent: Agent | undefined;

  const cleanUp = async (): Promise<void> => {
    await prepared?.tokenServer?.stop();
    agent?.destroy();
    await rm(dir, { recursive: true, force: true });
    forgetDirCleanup();
  };

  let launched: Awaited<ReturnType<typeof launchOnFreePort>>;
  try {
    prepared = await prepareAuth(dir, options, credentials);
    agent = createAgent({ https: prepared.tls !== undefined, ca: prepared.tls?.certPem });
    launched = await launchOnFreePort({
      dir,
      storageDir,
      deleteEnabled: options.deleteEnabled ?? true,
      auth: prepared.auth,
      ...(prepared.tls === undefined
        ? {}
        : { tls: { certFile: prepared.tls.certFile, keyFile: prepared.tls.keyFile } }),
      agent,
      stdout: 'pipe',
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const { url, configFile } = launched;
  if (launched.registry.stdout === undefined) throw new Error('registry stdout is not piped');
  const registry = {
    ...launched.registry,
    accessLog: new AccessLogCollector(launched.registry.stdout),
  };
  const supportAgent = agent;
  const tokenServer = prepared.tokenServer;

  let sentinelCount = 0;
  const drainAccessLog = async (): Promise<void> => {
    // gorilla writes a line after its response went out, so a request that completed just now
    // may not be logged yet. A sentinel request sent after it is logged after it: wait for that.
    const marker = `${SUPPORT_MARKER}=sentinel-${++sentinelCount}`;
    await send({ method: 'GET', url: new URL(`/v2/?${marker}`, url), agent: supportAgent });
    await registry.accessLog.waitFor((entry) => entry.path.endsWith(marker), 5_000);
  };

  let stopped: Promise<void> | undefined;
  return {
    url,
    auth,
    ...(auth === 'none' ? {} : credentials),
    ...(prepared.tls === undefined ? {} : { caFile: prepared.tls.certFile }),
    ...(tokenServer === undefined
      ? {}
      : { tokenRealm: tokenServer.realm, refreshToken: tokenServer.refreshToken }),
    storageDir,
    pid: registry.pid,
    configFile,
    accessLog: async () => {
      await drainAccessLog();
      return registry.accessLog
        .snapshot()
        .filter((entry) => !entry.path.includes(`${SUPPORT_MARKER}=`));
    },
    resetAccessLog: async () => {
      await drainAccessLog();
      registry.accessLog.clear();
    },
    tokenRequests: () => tokenServer?.tokenRequests() ?? [],
    garbageCollect: async (gcOptions = {}) => {
      const args = [
        'garbage-collect',
        ...(gcOptions.deleteUntagged === true ? ['--delete-untagged'] : []),
        configFile,
      ];
      const { stdout } = await execFileAsync(REGISTRY_BINARY, args);
      return stdout;
    },
    stop: () => {
      stopped ??= registry.stop().then(cleanUp);
      return stopped;
    },
  };
}
