import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CREDENTIAL_HELPER_NAME, type DockerLogin } from '../registry/registry-settings.js';
import type { ConfigProblem } from './config-error.js';

/**
 * Registry credentials from the Docker client config (issue 23, behaviour.md section 7), read
 * when config.yaml gives no username/password: the file `docker` itself reads, the same
 * precedence (`credHelpers[host]`, then `credsStore`, then `auths[host]`) and the same key
 * normalisation (docker/cli's ConvertToHostname: `https://host/v1/` and `host/v2/` are `host`;
 * Docker Hub answers to several names and its key is `https://index.docker.io/v1/`).
 * Only reads the file: a credential helper is run by the registry adapter, on first need.
 */
export interface DockerCredentials {
  readonly credentials?: { readonly username: string; readonly password: string };
  readonly dockerLogin?: DockerLogin;
  /** Where they come from (never what they are), for --check-config and messages. */
  readonly credentialsFrom: string;
  /** Values to scrub from any message, as a last defence. */
  readonly secrets: readonly string[];
  readonly problems: readonly ConfigProblem[];
}

/** The name a helper is given for Docker Hub, and the `auths` key `docker login` writes for it. */
const HUB_SERVER = 'https://index.docker.io/v1/';
const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

export function lookUpDockerCredentials(
  registryUrl: string,
  env: NodeJS.ProcessEnv,
): DockerCredentials {
  const host = canonicalHost(new URL(registryUrl).host);
  const file = locate(env);
  if (file === undefined) {
    return {
      credentialsFrom: `none (no username/password in config.yaml, no Docker config)`,
      secrets: [],
      problems: [],
    };
  }
  const read = readJsonObject(file);
  if ('problem' in read) {
    return { credentialsFrom: 'none', secrets: [], problems: [{ file, message: read.problem }] };
  }
  return lookUp(read.object, file, host);
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`, else Podman's auth.json. */
function locate(env: NodeJS.ProcessEnv): string | undefined {
  const dockerConfig = env['DOCKER_CONFIG'];
  const home = env['HOME'] ?? homedir();
  const docker =
    dockerConfig !== undefined && dockerConfig !== ''
      ? join(dockerConfig, 'config.json')
      : join(home, '.docker', 'config.json');
  if (exists(docker)) return docker;
  const runtime = env['XDG_RUNTIME_DIR'];
  const podman =
    runtime !== undefined && runtime !== '' ? join(runtime, 'containers', 'auth.json') : undefined;
  return podman !== undefined && exists(podman) ? podman : undefined;
}

function lookUp(config: Record<string, unknown>, file: string, host: string): DockerCredentials {
  const problems: ConfigProblem[] = [];
  const from = (what: string): string => `docker config ${file}: ${what}`;
  const helpers = objectField(config, 'credHelpers', file, problems);
  const auths = objectField(config, 'auths', file, problems);
  const server = host === 'docker.io' ? HUB_SERVER : host;

  const helperKey = keyFor(helpers, host);
  const store = config['credsStore'];
  const helper = helperKey !== undefined ? helpers[helperKey] : store;
  const field =
    helperKey !== undefined ? `credHelpers[${JSON.stringify(helperKey)}]` : 'credsStore';
  if (helper !== undefined && helper !== '') {
    if (typeof helper !== 'string' || !CREDENTIAL_HELPER_NAME.test(helper)) {
      problems.push({
        file,
        field,
        message:
          'must be the plain name of a credential helper (letters, digits, ".", "_", "-"), run as docker-credential-<name> from PATH',
      });
      return { credentialsFrom: 'none', secrets: [], problems };
    }
    const via = helperKey !== undefined ? 'credHelpers' : 'credsStore';
    return {
      dockerLogin: { kind: 'helper', helper, server },
      credentialsFrom: from(`${via} -> ${helper}`),
      secrets: [],
      problems,
    };
  }

  const authKey = keyFor(auths, host);
  const entry = authKey === undefined ? undefined : auths[authKey];
  if (authKey === undefined || entry === undefined) {
    return { credentialsFrom: `none (nothing for ${host} in ${file})`, secrets: [], problems };
  }
  const where = `auths[${JSON.stringify(authKey)}]`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    problems.push({ file, field: where, message: 'must be an object' });
    return { credentialsFrom: 'none', secrets: [], problems };
  }
  return { ...fromAuthEntry(entry as Record<string, unknown>, file, where, problems), problems };
}

/** One `auths` entry: docker's order is registrytoken, identitytoken, then a user and password. */
function fromAuthEntry(
  entry: Record<string, unknown>,
  file: string,
  where: string,
  problems: ConfigProblem[],
): Omit<DockerCredentials, 'problems'> {
  const from = (what: string): string => `docker config ${file}: ${where} (${what})`;
  const text = (key: string): string | undefined => {
    const value = entry[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const registryToken = text('registrytoken');
  if (registryToken !== undefined) {
    return {
      dockerLogin: { kind: 'registry-token', token: registryToken },
      credentialsFrom: from('registrytoken'),
      secrets: [registryToken],
    };
  }
  const identityToken = text('identitytoken');
  if (identityToken !== undefined) {
    return {
      dockerLogin: { kind: 'identity-token', token: identityToken },
      credentialsFrom: from('identitytoken'),
      secrets: [identityToken],
    };
  }
  const auth = text('auth');
  if (auth !== undefined) {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      // The value is a secret: the problem describes it, never quotes it.
      problems.push({ file, field: `${where}.auth`, message: 'must be base64 of "user:password"' });
      return { credentialsFrom: 'none', secrets: [auth] };
    }
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    return {
      credentials: { username, password },
      credentialsFrom: from('auth'),
      secrets: [auth, password],
    };
  }
  const username = text('username');
  const password = text('password');
  if (username !== undefined && password !== undefined) {
    return {
      credentials: { username, password },
      credentialsFrom: from('username/password'),
      secrets: [password],
    };
  }
  return { credentialsFrom: `none (${where} in ${file} holds no credentials)`, secrets: [] };
}

/**
 * The key of `entries` that names `host`: the exact key first, then any key that normalises
 * to it (`https://host/v1/`, `http://host`, `host/v2/`, Docker Hub's names).
 */
function keyFor(entries: Record<string, unknown>, host: string): string | undefined {
  const keys = Object.keys(entries);
  return (
    keys.find((key) => key === host) ?? keys.find((key) => canonicalHost(hostOf(key)) === host)
  );
}

/** docker/cli's ConvertToHostname: the host[:port] of a URL, else the text before any `/`. */
export function hostOf(key: string): string {
  if (key.includes('://')) {
    try {
      const url = new URL(key);
      if (url.hostname !== '')
        return url.port === '' ? url.hostname : `${url.hostname}:${url.port}`;
    } catch {
      // Not a URL after all: cut at the first '/' as docker does.
    }
  }
  return key.split('/')[0] ?? key;
}

/** Lower-case host; every name of Docker Hub is `docker.io`. */
export function canonicalHost(host: string): string {
  const lower = host.toLowerCase();
  return HUB_HOSTS.has(lower) ? 'docker.io' : lower;
}

function objectField(
  config: Record<string, unknown>,
  key: string,
  file: string,
  problems: ConfigProblem[],
): Record<string, unknown> {
  const value = config[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ file, field: key, message: 'must be an object' });
    return {};
  }
  return value as Record<string, unknown>;
}

function exists(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch (error) {
    // Present but unreadable (a directory, no permission) is the reader's problem to report.
    return (
      (error as NodeJS.ErrnoException).code !== 'ENOENT' &&
      (error as NodeJS.ErrnoException).code !== 'ENOTDIR'
    );
  }
}

function readJsonObject(
  file: string,
): { readonly object: Record<string, unknown> } | { readonly problem: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message may quote the file's text (a secret): say where, not what.
    return { problem: 'is not valid JSON (the Docker client config)' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { problem: 'must hold a JSON object (the Docker client config)' };
  }
  return { object: parsed as Record<string, unknown> };
}
