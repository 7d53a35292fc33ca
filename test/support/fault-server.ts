import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP server for the transport faults the real registry cannot produce on demand
 * (429, 5xx, resets, stalls, malformed bodies, redirects to another host). Everything a registry
 * does correctly is tested against the real docker-registry instead.
 */
export interface FaultRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** `index` counts the requests this server has seen, from 0. */
export type FaultHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  index: number,
) => void;

export interface FaultServer {
  /** `http://HOST:PORT` */
  readonly url: string;
  readonly requests: FaultRequest[];
  stop(): Promise<void>;
}

/** Starts on `host` (default 127.0.0.1; any 127.x address works on Linux) and a free port. */
export function startFaultServer(handler: FaultHandler, host = '127.0.0.1'): Promise<FaultServer> {
  const requests: FaultRequest[] = [];
  const server = createServer((request, response) => {
    const index = requests.length;
    requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
    });
    handler(request, response, index);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${port}`,
        requests,
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => {
              done();
            });
          }),
      });
    });
  });
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(bytes.length),
    ...headers,
  });
  response.end(bytes);
}

/** Drops the TCP connection without an answer (the client sees ECONNRESET / socket hang up). */
export function resetConnection(response: ServerResponse): void {
  response.socket?.resetAndDestroy();
}

/** Sends the headers and part of the body, then never finishes. */
export function stallBody(response: ServerResponse, contentLength = 1000): void {
  response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': String(contentLength),
  });
  response.write('{"schemaVersion": 2, ');
}
