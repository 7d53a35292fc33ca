import http from 'node:http';
import https from 'node:https';

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

class ConnectionResetError extends Error {
  readonly code = 'ECONNRESET';
  constructor() {
    super('the connection closed before the whole answer arrived');
  }
}

/**
 * One HTTP exchange with node:http(s) and nothing else: the registry client sends tens of
 * thousands of small requests, and a general-purpose client's per-request work (config merging,
 * interceptors, transforms) costs more CPU than the request itself. Errors keep Node's codes
 * (ECONNRESET, certificate codes...) for transport-failure.ts; any status is an answer.
 */
export function exchange(request: ExchangeRequest): Promise<ExchangeResponse> {
  const { target } = request;
  const send = target.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const fail = (error: unknown): void => {
      clearTimeout(timer);
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const outgoing = send(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        ...(target.auth === undefined ? {} : { auth: target.auth }),
        path: request.path,
        method: request.method,
        headers: request.headers,
        agent: request.agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let complete = false;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > request.maxBodyBytes) {
            outgoing.destroy(new BodyTooLargeError(request.maxBodyBytes));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          complete = true;
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 0,
            headers: plainHeaders(response.headers),
            body:
              chunks.length === 1 && chunks[0] !== undefined
                ? chunks[0]
                : Buffer.concat(chunks, size),
          });
        });
        response.on('error', fail);
        response.on('close', () => {
          if (!complete) fail(outgoing.errored ?? new ConnectionResetError());
        });
      },
    );
    // A timer and destroy() rather than an AbortSignal: cheaper per request, same effect. The
    // handlers above that clear it only ever run after this line.
    const timer = setTimeout(() => {
      outgoing.destroy(new DeadlineError(request.timeoutMs));
    }, request.timeoutMs);
    outgoing.on('error', fail);
    outgoing.end();
  });
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

function plainHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') result[name] = value;
    else if (Array.isArray(value)) result[name] = value.join(', ');
  }
  return result;
}
