import type { Agent } from 'node:http';
import { RegistryError, type RegistryErrorKind } from '../../../application/ports/registry.port.js';
import type { Logger } from '../../../application/ports/logger.port.js';
import {
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  withRetries,
} from '../../shared/http/retry-policy.js';
import type { HttpExchange } from './exchange.js';
import { DeadlineError, splitUrl, targetOf, type ExchangeTarget } from './http-exchange.js';
import type { RequestLimiter } from './request-limiter.js';
import type { RequestKind, RequestStats } from '../../shared/http/request-stats.js';
import type { RateCeiling } from './rate-ceiling.js';
import { safeUrl } from '../../shared/secrets/safe-url.js';
import { isProxyCredentialsRefusal } from './proxy.js';
import { TransportAgents, type TransportSettings } from './transport-agents.js';
import {
  describeTransportFailure,
  transportFailureOf,
  type TransportFailure,
} from '../../shared/http/transport-failure.js';

export interface RegistryRequest {
  readonly kind: RequestKind;
  readonly method: 'GET' | 'HEAD' | 'DELETE' | 'PUT' | 'POST';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A PUT's body (manifest bytes, sent as they are). */
  readonly body?: Uint8Array;
  /** Blob GETs may be redirected to object storage; nothing else is followed. */
  readonly followRedirects?: boolean;
  /**
   * What is wrong with a 2xx answer's body, or undefined when it is whole. A proxy or load
   * balancer can cut a body short inside a complete response (issue 23): such an answer is
   * read again with the budget and backoff of a 503; after the last retry it is returned as
   * it is, and the caller's own check names the problem.
   */
  readonly checkBody?: (response: RegistryResponse) => string | undefined;
}

export interface RegistryResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The URL that answered (after redirects). */
  readonly url: string;
}

/** What auth and the resolver need of the transport (a stub in unit tests). */
export interface HttpSender {
  send(request: RegistryRequest): Promise<RegistryResponse>;
}

export interface RegistryHttpClientOptions extends TransportSettings {
  readonly timeoutMs: number;
  /** Optional requests-per-second ceiling (`max_requests_per_second`); absent = none. */
  readonly rateCeiling?: RateCeiling;
  readonly httpLogs: boolean;
  readonly logger: Logger;
  readonly stats: RequestStats;
  readonly retryPolicy?: RetryPolicy;
  /** The FIFO request gate (`max_concurrent_requests`), shared by every client of the process. */
  readonly gate: RequestLimiter;
  /** How one request is exchanged (axios, or a test's stand-in). */
  readonly exchange: HttpExchange;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => Date;
  /**
   * Aborted on SIGINT/SIGTERM: from then on no request goes on the wire. Those waiting in the
   * gate or the ceiling are dropped at once, retries end, and every later send throws a
   * RegistryError of kind 'stopped'. Requests already sent finish (within their deadline).
   */
  readonly stop?: AbortSignal;
}

type Attempt = { readonly response: RegistryResponse } | { readonly failure: TransportFailure };

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
// Manifests and image configs are small; a body this large is not what we asked for.
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const USER_AGENT = 'reg-cleaner';

/** What every request refused after SIGINT/SIGTERM rejects with. */
function stoppedError(): RegistryError {
  return new RegistryError('stopped', 'not sent: reg-cleaner is stopping (SIGINT/SIGTERM)');
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Every HTTP exchange with the registry (and its token realm): a FIFO request gate shared by all
 * jobs (`max_concurrent_requests`), an optional requests-per-second ceiling,
 * per-attempt deadline covering headers and body, bounded retries with backoff, redirects
 * followed by hand so that `Authorization` never reaches another host, keep-alive agents,
 * proxy and TLS settings, `--http-logs` lines and request counts. It answers with any HTTP
 * status; it throws RegistryError only when no response could be had.
 */
export class RegistryHttpClient implements HttpSender {
  /**
   * `max_concurrent_requests`: a FIFO gate without timers. Bottleneck was here once, but its
   * datastore yields to a timer on every job and starts about 1,000 requests a second at
   * most, which made it the bottleneck of every run; it is now only the optional rate ceiling.
   */
  private readonly gate: RequestLimiter;
  private readonly routes = new Map<
    string,
    { target: ExchangeTarget; agent: Agent; proxied: boolean }
  >();
  private readonly agents: TransportAgents;
  private readonly retryPolicy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => Date;
  private readonly exchanger: HttpExchange;

  constructor(private readonly options: RegistryHttpClientOptions) {
    this.gate = options.gate;
    this.exchanger = options.exchange;
    this.agents = new TransportAgents(options);
    this.retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? ((): Date => new Date());
    const stop = options.stop;
    if (stop !== undefined) {
      const drop = (): void => {
        this.gate.dropWaiting(stoppedError());
        options.rateCeiling?.stop(stoppedError());
      };
      if (stop.aborted) drop();
      else stop.addEventListener('abort', drop, { once: true });
    }
  }

  async send(request: RegistryRequest): Promise<RegistryResponse> {
    const { value: attempt, retries } = await withRetries<Attempt>(
      async (retry) => {
        const attempt = await this.sendFollowingRedirects(request, retry);
        if (!('response' in attempt)) {
          return attempt.failure.retryable
            ? { final: false, value: attempt }
            : { final: true, value: attempt };
        }
        // The last attempt's answer is returned as it is: only a retry reads it again. After a
        // signal nothing is sent again, so the answer at hand is the last.
        const canRetry = retry < this.retryPolicy.maxRetries && !this.stopping();
        if (canRetry && this.spoiledBody(request, attempt.response)) {
          return { final: false, value: attempt };
        }
        if (!isRetryableStatus(attempt.response.status, this.retryPolicy)) {
          return { final: true, value: attempt };
        }
        const retryAfter = parseRetryAfter(attempt.response.headers['retry-after'], this.now());
        return {
          final: false,
          value: attempt,
          ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
        };
      },
      this.retryPolicy,
      { sleep: this.sleep, random: this.random },
      () => {
        this.options.stats.recordRetry();
      },
      this.options.stop,
    );
    if ('response' in attempt) return attempt.response;
    throw this.failureError(request, attempt.failure, retries);
  }

  /** Closes pooled sockets; the instance must not be used afterwards. */
  close(): void {
    this.routes.clear();
    this.agents.destroy();
  }

  /** A 2xx whose body the request's check refuses (cut short, not what its digest says). */
  private spoiledBody(request: RegistryRequest, response: RegistryResponse): boolean {
    if (request.checkBody === undefined || response.status < 200 || response.status > 299) {
      return false;
    }
    const problem = request.checkBody(response);
    if (problem === undefined) return false;
    if (this.options.httpLogs) {
      this.options.logger.info('HTTP answer refused, reading it again', {
        method: request.method,
        url: safeUrl(request.url),
        problem,
      });
    }
    return true;
  }

  private stopping(): boolean {
    return this.options.stop?.aborted === true;
  }

  private async sendFollowingRedirects(request: RegistryRequest, retry: number): Promise<Attempt> {
    let url = request.url;
    let method = request.method;
    // One header object per request, the User-Agent included (not one more per attempt).
    let headers: Readonly<Record<string, string>> = {
      'User-Agent': USER_AGENT,
      ...request.headers,
    };
    for (let hop = 0; ; hop += 1) {
      const send = (): Promise<Attempt> =>
        this.attempt(request.kind, method, url, headers, retry, request.body);
      const ceiling = this.options.rateCeiling;
      const attempt = await this.gate.run(
        ceiling === undefined ? send : (): Promise<Attempt> => ceiling.schedule(send),
      );
      if (!('response' in attempt) || request.followRedirects !== true) {
        return attempt;
      }
      const { status, headers: responseHeaders } = attempt.response;
      const location = responseHeaders['location'];
      if (!REDIRECT_STATUSES.has(status) || location === undefined) {
        return attempt;
      }
      if (hop >= MAX_REDIRECTS) {
        return {
          failure: {
            code: 'TOO_MANY_REDIRECTS',
            kind: 'invalid-response',
            retryable: false,
            detail: `more than ${MAX_REDIRECTS} redirects`,
          },
        };
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return {
          failure: {
            code: 'BAD_REDIRECT',
            kind: 'invalid-response',
            retryable: false,
            detail: 'a redirect without a valid Location',
          },
        };
      }
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        return {
          failure: {
            code: 'BAD_REDIRECT',
            kind: 'invalid-response',
            retryable: false,
            detail: 'a redirect to a non-HTTP URL',
          },
        };
      }
      if (next.origin !== new URL(url).origin) {
        // Object storage (S3, GCS) authenticates with the signed URL itself; the registry's
        // credentials must never reach it (registry-v2.md, "config" row).
        headers = Object.fromEntries(
          Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
        );
      }
      if (status === 303) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
      }
      url = next.toString();
    }
  }

  private async attempt(
    kind: RequestKind,
    method: RegistryRequest['method'],
    url: string,
    headers: Readonly<Record<string, string>>,
    retry: number,
    body: Uint8Array | undefined,
  ): Promise<Attempt> {
    // The last point before the wire: whatever queue this request waited in, a signal that
    // came meanwhile keeps it off.
    if (this.stopping()) throw stoppedError();
    this.options.stats.recordRequest(kind);
    const started = performance.now();
    try {
      const { origin, path } = splitUrl(url);
      const { target, agent, proxied } = this.route(origin);
      const exchanged = await this.exchanger.exchange({
        method,
        target,
        path,
        headers,
        ...(body === undefined ? {} : { body }),
        agent,
        timeoutMs: this.options.timeoutMs,
        maxBodyBytes: MAX_BODY_BYTES,
        // A pooled connection its peer had closed: exchange() resends at once (not a retry).
        onResend: (code) => {
          this.ended(kind, method, code, started);
          this.options.stats.recordRequest(kind);
          this.log(method, url, `${code} (stale connection, resent)`, started, retry);
        },
      });
      // A proxy's 401 for its own credentials is a 407 (proxy.ts): not the registry's refusal.
      const response =
        proxied && isProxyCredentialsRefusal(exchanged.status, exchanged.headers)
          ? { ...exchanged, status: 407 }
          : exchanged;
      this.ended(kind, method, String(response.status), started);
      this.log(method, url, String(response.status), started, retry);
      return { response: { ...response, url } };
    } catch (error) {
      if (error instanceof RegistryError) {
        throw error; // configuration (ca_file, proxy URL): no request was sent
      }
      const failure = transportFailureOf(
        error,
        error instanceof DeadlineError,
        this.options.timeoutMs,
      );
      this.ended(kind, method, failure.code, started);
      this.log(method, url, failure.code, started, retry);
      return { failure };
    }
  }

  private ended(kind: RequestKind, method: string, status: string, started: number): void {
    const durationSeconds = (performance.now() - started) / 1000;
    this.options.stats.recordOutcome({ kind, method, status, durationSeconds });
  }

  /**
   * The parsed origin and its agent, once per origin: a run sends tens of thousands of
   * requests to one or two origins, and parsing each URL again showed in profiles.
   */
  private route(origin: string): { target: ExchangeTarget; agent: Agent; proxied: boolean } {
    let route = this.routes.get(origin);
    if (route === undefined) {
      const parsed = new URL(origin);
      const { httpAgent, httpsAgent, proxied } = this.agents.agentsFor(parsed);
      const target = targetOf(parsed);
      route = { target, agent: target.protocol === 'https:' ? httpsAgent : httpAgent, proxied };
      this.routes.set(origin, route);
    }
    return route;
  }

  private log(method: string, url: string, status: string, started: number, retry: number): void {
    if (!this.options.httpLogs) {
      return;
    }
    const durationMs = Math.round(performance.now() - started);
    const shown = safeUrl(url);
    this.options.logger.info('HTTP request', { method, url: shown, status, durationMs, retry });
  }

  private failureError(
    request: RegistryRequest,
    failure: TransportFailure,
    retries: number,
  ): RegistryError {
    const kind: RegistryErrorKind = failure.kind;
    return new RegistryError(
      kind,
      describeTransportFailure(request.method, safeUrl(request.url), failure, retries),
    );
  }
}
