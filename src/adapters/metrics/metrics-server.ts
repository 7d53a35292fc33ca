import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CleanerMetrics } from './cleaner-metrics.js';
import type { ListenAddress } from './metrics-settings.js';
import type { Verdict } from './watch-health.js';

/** What the endpoint reads; the watch health in production, a stub in tests. */
export interface Probes {
  readiness(): Verdict;
  liveness(): Verdict;
}

/** Why the endpoint could not listen, e.g. EADDRINUSE or EACCES. */
export class ListenFailure extends Error {
  override readonly name = 'ListenFailure';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TEXT = 'text/plain; charset=utf-8';

/**
 * The watch container's HTTP endpoint: GET or HEAD on /metrics, /healthz and /readyz, nothing
 * else (other paths 404, other methods 405). It serves metrics and probe verdicts only: no
 * configuration, no URL with credentials, no request body is ever read.
 */
export class MetricsServer {
  private readonly server: Server;

  constructor(
    private readonly metrics: CleanerMetrics,
    private readonly probes: Probes,
  ) {
    this.server = createServer((request, response) => {
      this.answer(request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500, { 'Content-Type': TEXT });
        response.end('internal error\n');
      });
    });
    // A scraper that never finishes its request must not hold a socket for minutes.
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 10_000;
  }

  /** Resolves with the bound address (the real port when 0 was asked). */
  listen(address: ListenAddress): Promise<ListenAddress> {
    return new Promise((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException): void => {
        const code = error.code ?? 'ERROR';
        reject(new ListenFailure(code, `${code}: ${error.message}`));
      };
      this.server.once('error', failed);
      this.server.listen(address.port, address.host, () => {
        this.server.off('error', failed);
        const bound = this.server.address() as AddressInfo;
        resolve({ host: address.host, port: bound.port });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => {
        resolve();
      });
      this.server.closeAllConnections();
    });
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    const route = path === '/metrics' || path === '/healthz' || path === '/readyz' ? path : null;
    if (route === null) {
      send(
        request,
        response,
        404,
        TEXT,
        'not found: this endpoint serves /metrics, /healthz and /readyz\n',
      );
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      send(request, response, 405, TEXT, 'method not allowed: use GET or HEAD\n');
      return;
    }
    if (route === '/metrics') {
      send(request, response, 200, this.metrics.contentType, await this.metrics.text());
      return;
    }
    const verdict = route === '/healthz' ? this.probes.liveness() : this.probes.readiness();
    send(request, response, verdict.ok ? 200 : 503, TEXT, `${verdict.detail}\n`);
  }
}

function send(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string,
): void {
  response.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}
