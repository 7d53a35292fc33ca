import type http from 'node:http';
import axios, { AxiosHeaders } from 'axios';

/** Where a request goes, parsed once per origin (scheme, host and port). */
export interface ExchangeTarget {
  readonly protocol: 'http:' | 'https:';
  readonly hostname: string;
  readonly port: string;
  /** `user:password` when the origin carries them (never for the registry's own URL). */
  readonly auth: string | undefined;
}

export interface ExchangeRequest {
  readonly method: string;
  readonly target: ExchangeTarget;
  /** Path and query. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Keep-alive (or proxy) agent for the URL's protocol. */
  readonly agent: http.Agent;
  /** One deadline for the headers and the whole body: a body that stalls halfway is dead too. */
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
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
 */
export async function exchange(request: ExchangeRequest): Promise<ExchangeResponse> {
  const { target } = request;
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new DeadlineError(request.timeoutMs));
  }, request.timeoutMs);
  try {
    const response = await client.request<ArrayBuffer>({
      method: request.method,
      url: `${target.protocol}//${hostForUrl(target.hostname)}${target.port === '' ? '' : `:${target.port}`}${request.path}`,
      ...(target.auth === undefined ? {} : { auth: credentialsOf(target.auth) }),
      headers: request.headers,
      responseType: 'arraybuffer',
      validateStatus: () => true,
      maxRedirects: 0,
      // The agents implement the proxy; axios must not read *_proxy variables itself.
      proxy: false,
      ...(target.protocol === 'https:'
        ? { httpsAgent: request.agent }
        : { httpAgent: request.agent }),
      maxContentLength: request.maxBodyBytes,
      signal: controller.signal,
      transitional: { clarifyTimeoutError: true },
    });
    return {
      status: response.status,
      headers: plainHeaders(response.headers),
      body: toBuffer(response.data),
    };
  } catch (error) {
    throw controller.signal.aborted ? new DeadlineError(request.timeoutMs) : error;
  } finally {
    clearTimeout(timer);
  }
}

/** One axios instance for the process: the per-request options above are all it needs. */
const client = axios.create();

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
  return {
    protocol: origin.protocol === 'https:' ? 'https:' : 'http:',
    hostname,
    port: origin.port,
    auth,
  };
}

function plainHeaders(headers: unknown): Record<string, string> {
  const source: unknown = headers instanceof AxiosHeaders ? headers.toJSON() : headers;
  const result: Record<string, string> = {};
  if (typeof source !== 'object' || source === null) return result;
  for (const [name, value] of Object.entries(source)) {
    if (typeof value === 'string' || typeof value === 'number') {
      result[name.toLowerCase()] = String(value);
    } else if (Array.isArray(value)) {
      result[name.toLowerCase()] = value.map(String).join(', ');
    }
  }
  return result;
}
