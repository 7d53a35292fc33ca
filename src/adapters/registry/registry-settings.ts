/** How to reach the registry: config.yaml after `__ENV` resolution and validation. */
export interface RegistrySettings {
  /** Base URL without the `/v2/` suffix, e.g. `https://registry.example.com`. */
  readonly url: string;
  /** Both or neither (anonymous registries). */
  readonly credentials?: { readonly username: string; readonly password: string };
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

/**
 * `https://host:5000/` or `.../v2/` -> `https://host:5000`: the client appends `/v2/` itself.
 * The one URL normaliser (issue 14): the config check, the adapter and the registry cache's
 * file name all use it, so one registry is one string everywhere. Credentials, query and
 * fragment are dropped (the config check refuses them before this).
 */
export function normaliseBaseUrl(url: string | URL): string {
  const parsed = new URL(url);
  let path = parsed.pathname.replace(/\/+$/, '');
  if (path.endsWith('/v2')) path = path.slice(0, -'/v2'.length);
  return `${parsed.protocol}//${parsed.host}${path}`;
}
