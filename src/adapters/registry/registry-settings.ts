/** How to reach the registry: config.yaml after `__ENV` resolution and validation. */
export interface RegistrySettings {
  /** Base URL without the `/v2/` suffix, e.g. `https://registry.example.com`. */
  readonly url: string;
  /**
   * A user and password: config.yaml's (they win), or a Docker config `auths` entry's. Neither
   * these nor `dockerLogin` = anonymous.
   */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** What the Docker client config gives instead of a user and password (issue 23). */
  readonly dockerLogin?: DockerLogin;
  /**
   * Where the credentials come from, never what they are: `config.yaml (__ENV: REG_PASS)`,
   * `docker config /root/.docker/config.json: credHelpers -> lab`. Shown by --check-config and
   * the --watch banner, and named when the registry refuses them.
   */
  readonly credentialsFrom?: string;
  /** `scheme://[user:pass@]host[:port]`; undefined = no proxy. NO_PROXY is honoured. */
  readonly proxy?: string;
  /** Per-request timeout in milliseconds. */
  readonly timeoutMs: number;
  /** Upper bound of requests in flight, shared by every job of the process. */
  readonly maxConcurrentRequests: number;
  /**
   * Optional ceiling on requests started per second (hosted registries throttle with 429);
   * undefined = no ceiling, and no rate limiter on the request path.
   */
  readonly maxRequestsPerSecond?: number;
  /** Backoff before the first retry (doubled per retry, jittered); undefined = the default. */
  readonly retryBaseDelayMs?: number;
  /** PEM file with extra CA certificates to trust (self-signed registries). */
  readonly caFile?: string;
  /** Skip TLS verification. Warned about on every run. */
  readonly insecure: boolean;
  /** Log one line per request (`--http-logs`). */
  readonly httpLogs: boolean;
}
export const RegistrySettings = Symbol('RegistrySettings');

/** Docker config credentials other than a user and password (behaviour.md section 7). */
export type DockerLogin =
  /** `auths[host].identitytoken`, or a helper's `<token>` user: an OAuth2 refresh token. */
  | { readonly kind: 'identity-token'; readonly token: string }
  /** `auths[host].registrytoken`: a bearer token sent as it is. */
  | { readonly kind: 'registry-token'; readonly token: string }
  /** `credHelpers[host]` or `credsStore`: `docker-credential-<helper> get`, asked for `server`. */
  | { readonly kind: 'helper'; readonly helper: string; readonly server: string };

/**
 * A credential helper is named, never given as a path: `../../bin/sh` in a config.json must
 * not choose what runs. The program is `docker-credential-<name>`, found on PATH.
 */
export const CREDENTIAL_HELPER_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * `https://host:5000/` or `.../v2/` -> `https://host:5000`: the client appends `/v2/` itself.
 * The one URL normaliser (issue 14): the config check, the adapter and the registry cache's
 * file name all use it, so one registry is one string everywhere. Credentials, query and
 * fragment are dropped (the config check refuses them before this).
 */
/** The registry's base URL as normaliseBaseUrl gives it: what every URL is built from. */
export const RegistryBaseUrl = Symbol('RegistryBaseUrl');

export function normaliseBaseUrl(url: string | URL): string {
  const parsed = new URL(url);
  let path = parsed.pathname.replace(/\/+$/, '');
  if (path.endsWith('/v2')) path = path.slice(0, -'/v2'.length);
  return `${parsed.protocol}//${parsed.host}${path}`;
}
