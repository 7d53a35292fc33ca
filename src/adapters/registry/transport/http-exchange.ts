import { ClientRequest, type Agent } from 'node:http';
import type { AxiosRequestConfig, GenericAbortSignal } from 'axios';
import { axios } from '../../shared/http/axios.js';
import { ConnectionPool } from './connection-pool.js';
import { nodeHttpAdapter } from './node-http-adapter.js';
import { errorCode } from '../../shared/http/transport-failure.js';

/** Where a request goes, parsed once per origin (scheme, host and port). */
export interface ExchangeTarget {
  readonly protocol: 'http:' | 'https:';
  readonly hostname: string;
  readonly port: string;
  /** `user:password` when the origin carries them (never for the registry's own URL). */
  readonly auth: string | undefined;
  /** `scheme://host[:port]` without credentials: what a request's path is appended to. */
  readonly base: string;
}

export interface ExchangeRequest {
  readonly method: string;
  readonly target: ExchangeTarget;
  /** Path and query. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Sent as is (a manifest PUT); axios takes a Buffer without copying or transforming it. */
  readonly body?: Uint8Array;
  /** Keep-alive (or proxy) agent for the URL's protocol. */
  readonly agent: Agent;
  /** One deadline for the headers and the whole body: a body that stalls halfway is dead too. */
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  /**
   * Called when the request was lost to a pooled connection that its peer had closed (before
   * any byte of an answer), just before it is sent again on a new connection; `code` is why
   * the first try failed (ECONNRESET, EPIPE).
   */
  readonly onResend?: (code: string) => void;
}

export interface ExchangeResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** Thrown for a body over maxBodyBytes; transport-failure.ts classifies it. */
export class BodyTooLargeError extends Error {
  readonly code = 'BODY_TOO_LARGE';
  constructor(limit: number) {
    super(`the response body is larger than ${String(limit)} bytes (maxContentLength)`);
  }
}

/** The deadline passed before the whole answer arrived. */
export class DeadlineError extends Error {
  readonly code = 'DEADLINE';
  constructor(timeoutMs: number) {
    super(`no complete answer within ${String(timeoutMs)} ms`);
  }
}

/**
 * One HTTP exchange through axios (the product's chosen HTTP client), reduced to what the
 * registry client needs: every status is an answer, redirects are the caller's business, the
 * body arrives as bytes, and one deadline covers the headers and the whole body (axios'
 * `timeout` alone would let a body that stalls halfway hang). Errors keep their codes
 * (ECONNRESET, certificate codes...) for transport-failure.ts.
 *
 * A request written into a pooled connection that the peer had already closed (a proxy that
 * closes after every answer, a load balancer's idle timeout) fails before any byte of an answer
 * arrives. It is sent again at once, on a new connection and within the same deadline: it is
 * not a retry, the peer never saw it (issue 13). A failure on a new connection is the caller's.
 */
export async function exchange(request: ExchangeRequest): Promise<ExchangeResponse> {
  const deadline = new Deadline(request.timeoutMs);
  try {
    try {
      return await send(request, request.agent, deadline);
    } catch (error) {
      const resendAgent = deadline.aborted ? undefined : resendAgentFor(request, error);
      if (resendAgent === undefined) {
        throw error;
      }
      request.onResend?.(errorCode(error) ?? 'UNKNOWN');
      return await send(request, resendAgent, deadline);
    }
  } catch (error) {
    throw deadline.aborted ? new DeadlineError(request.timeoutMs) : error;
  } finally {
    deadline.clear();
  }
}

/**
 * The signal axios watches for the deadline: all axios' HTTP adapter uses of a signal is
 * `aborted` and one 'abort' listener (its GenericAbortSignal). An AbortController per request
 * cost about 30 µs of CPU (an EventTarget, its listener bookkeeping and their garbage), a tenth
 * of axios' own work per request (issue 9). A class, not an object literal: axios copies plain
 * objects when it merges a request's config, and would then listen to the copy.
 */
class Deadline implements GenericAbortSignal {
  aborted = false;
  private listeners: ((...args: never[]) => unknown)[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(timeoutMs: number) {
    this.timer = setTimeout(() => {
      this.abort();
    }, timeoutMs);
  }

  addEventListener(type: string, listener: (...args: never[]) => unknown): void {
    if (type === 'abort') this.listeners.push(listener);
  }

  removeEventListener(type: string, listener: (...args: never[]) => unknown): void {
    if (type === 'abort') this.listeners = this.listeners.filter((known) => known !== listener);
  }

  clear(): void {
    clearTimeout(this.timer);
  }

  private abort(): void {
    this.aborted = true;
    const listeners = this.listeners;
    this.listeners = [];
    // No argument: axios then rejects with its CanceledError, as for an AbortController's event.
    for (const listener of listeners) listener();
  }
}

/** The one-shot agent to resend on, when `error` lost the request to a stale pooled socket. */
function resendAgentFor(request: ExchangeRequest, error: unknown): Agent | undefined {
  if (!axios.isAxiosError(error) || error.response !== undefined) {
    return undefined;
  }
  const code = errorCode(error);
  const sent: unknown = error.request;
  if ((code !== 'ECONNRESET' && code !== 'EPIPE') || !(sent instanceof ClientRequest)) {
    return undefined;
  }
  const pool = ConnectionPool.of(request.agent);
  return pool?.lostToStaleSocket(sent) === true ? pool.oneShot() : undefined;
}

async function send(
  request: ExchangeRequest,
  agent: Agent,
  signal: GenericAbortSignal,
): Promise<ExchangeResponse> {
  const { target } = request;
  // Only what differs between requests: the rest is the instance's, set once below.
  const config: AxiosRequestConfig<Buffer> = {
    method: request.method,
    url: target.base + request.path,
    headers: request.headers,
    maxContentLength: request.maxBodyBytes,
    signal,
  };
  if (target.protocol === 'https:') config.httpsAgent = agent;
  else config.httpAgent = agent;
  if (target.auth !== undefined) config.auth = credentialsOf(target.auth);
  if (request.body !== undefined) config.data = asBuffer(request.body);
  const response = await client.request<Buffer>(config);
  return {
    status: response.status,
    headers: plainHeaders(response.headers),
    body: toBuffer(response.data),
  };
}

/**
 * One axios instance for the process, configured for the least work per request (issues 9
 * and 25): its transport is node-http-adapter.ts (axios' own 'http' adapter cost twice its CPU
 * per request), no request or response transforms (bodies are
 * bytes both ways), every status an answer (no validateStatus call), no redirects followed (no
 * follow-redirects wrapper). The agents implement the proxy; axios must not read *_proxy
 * variables itself.
 */
export const REGISTRY_CLIENT_CONFIG = {
  adapter: nodeHttpAdapter,
  responseType: 'arraybuffer',
  transformRequest: [],
  transformResponse: [],
  validateStatus: null,
  maxRedirects: 0,
  proxy: false,
  transitional: { clarifyTimeoutError: true },
} satisfies AxiosRequestConfig;
const client = axios.create(REGISTRY_CLIENT_CONFIG);
/**
 * The instance's default headers, reduced to the one that reaches the wire: axios' `Accept`.
 * The defaults it copies also hold an empty bucket per method and an unset `Content-Type`, and
 * every request deep-copied them all while merging its config: about 7 KB of garbage per
 * request, the largest share of axios' own allocation (issue 25: a warm dry run allocated
 * 113 KB per request). What is sent does not change.
 */
client.defaults.headers = {
  common: { Accept: 'application/json, text/plain, */*' },
} as unknown as typeof client.defaults.headers;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function hostForUrl(hostname: string): string {
  return hostname.includes(':') ? `[${hostname}]` : hostname;
}

function credentialsOf(auth: string): { username: string; password: string } {
  const colon = auth.indexOf(':');
  return colon < 0
    ? { username: auth, password: '' }
    : { username: auth.slice(0, colon), password: auth.slice(colon + 1) };
}

function toBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.alloc(0);
}

/** `https://host:5000/v2/x?n=1` -> origin `https://host:5000` and path `/v2/x?n=1`. */
export function splitUrl(url: string): { origin: string; path: string } {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  return slash < 0
    ? { origin: url, path: '/' }
    : { origin: url.slice(0, slash), path: url.slice(slash) };
}

/** What node:http needs of an origin; the brackets of an IPv6 literal go, as in url.urlToHttpOptions. */
export function targetOf(origin: URL): ExchangeTarget {
  const hostname = origin.hostname.startsWith('[') ? origin.hostname.slice(1, -1) : origin.hostname;
  const auth =
    origin.username === ''
      ? undefined
      : `${decodeURIComponent(origin.username)}:${decodeURIComponent(origin.password)}`;
  const protocol = origin.protocol === 'https:' ? 'https:' : 'http:';
  const port = origin.port;
  return {
    protocol,
    hostname,
    port,
    auth,
    base: `${protocol}//${hostForUrl(hostname)}${port === '' ? '' : `:${port}`}`,
  };
}

/**
 * axios' response headers (an AxiosHeaders whose own keys are the header names) as a plain
 * record, read in place: toJSON() would build one more object per response.
 */
function plainHeaders(headers: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (typeof headers !== 'object' || headers === null) return result;
  const source = headers as Record<string, unknown>;
  for (const name of Object.keys(source)) {
    const value = source[name];
    if (typeof value === 'string' || typeof value === 'number') {
      result[name.toLowerCase()] = String(value);
    } else if (Array.isArray(value)) {
      result[name.toLowerCase()] = value.map(String).join(', ');
    }
  }
  return result;
}
