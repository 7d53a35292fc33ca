import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { LatestRuns } from '../shared/latest-runs.js';
import type { CleanerMetrics } from './cleaner-metrics.js';
import type { ListenAddress } from './metrics-settings.js';
import { reportFileAt } from './report-file-route.js';
import { PAGE_POLICY, watchPage } from './watch-page.js';
import type { Verdict } from './watch-health.js';

/** What the endpoint reads; the watch health in production, a stub in tests. */
export interface Probes {
  readiness(): Verdict;
  liveness(): Verdict;
}

/** The watch page (`metrics: { reports: true }`): the jobs, their last runs, their reports. */
export interface WatchPageSource {
  readonly jobs: readonly string[];
  readonly runs: LatestRuns;
  readonly now: () => Date;
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
const REPORTS = '/reports/';
/** Every answer that is not a served report: nothing to load, nothing to frame. */
const NOTHING = "default-src 'none'; frame-ancestors 'none'";
/** Added to a served HTML report's own policy. */
const REPORT_EXTRAS = "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

type Route = '/metrics' | '/healthz' | '/readyz' | 'page' | 'report';

/**
 * The watch container's HTTP endpoint: GET or HEAD on /metrics, /healthz and /readyz, and with
 * the watch page on, `/` and the report files under /reports/; nothing else (other paths 404,
 * other methods 405). It serves metrics, probe verdicts and report files only: no
 * configuration, no URL with credentials, no request body is ever read, nothing is written.
 */
export class MetricsServer {
  private readonly server: Server;

  constructor(
    private readonly metrics: CleanerMetrics,
    private readonly probes: Probes,
    private readonly page?: WatchPageSource,
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

  private routeOf(path: string): Route | null {
    if (path === '/metrics' || path === '/healthz' || path === '/readyz') return path;
    if (this.page === undefined) return null;
    if (path === '/') return 'page';
    return path.startsWith(REPORTS) ? 'report' : null;
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const route = this.routeOf(path);
    if (route === null) {
      const paths =
        this.page === undefined
          ? '/metrics, /healthz and /readyz'
          : '/, /metrics, /healthz and /readyz';
      send(request, response, 404, TEXT, `not found: this endpoint serves ${paths}\n`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      send(request, response, 405, TEXT, 'method not allowed: use GET or HEAD\n');
      return;
    }
    switch (route) {
      case '/metrics':
        send(request, response, 200, this.metrics.contentType, await this.metrics.text());
        return;
      case '/healthz':
      case '/readyz': {
        const verdict = route === '/healthz' ? this.probes.liveness() : this.probes.readiness();
        send(request, response, verdict.ok ? 200 : 503, TEXT, `${verdict.detail}\n`);
        return;
      }
      case 'page':
        await this.sendPage(request, response);
        return;
      case 'report':
        await this.sendReport(request, response, path.slice(REPORTS.length));
        return;
    }
  }

  private async sendPage(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.page === undefined) return;
    const runs = await this.page.runs.latest(this.page.jobs);
    const html = watchPage(this.page.jobs, runs, this.page.now());
    send(request, response, 200, 'text/html; charset=utf-8', html, PAGE_POLICY);
  }

  /** A report file, streamed (a report can be large); 404 for anything outside the folder. */
  private async sendReport(
    request: IncomingMessage,
    response: ServerResponse,
    encodedPath: string,
  ): Promise<void> {
    if (this.page === undefined) return;
    const file = await reportFileAt(this.page.runs.folder, encodedPath);
    if (file === undefined) {
      send(request, response, 404, TEXT, 'not found: no such report\n');
      return;
    }
    response.writeHead(200, {
      ...SAFE_HEADERS,
      'Content-Type': file.contentType,
      'Content-Length': file.size,
      'Content-Security-Policy': file.html
        ? `${this.page.runs.reportPolicy}; ${REPORT_EXTRAS}`
        : NOTHING,
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    await pipeline(createReadStream(file.path), response);
  }
}

/** On every answer: never cached, never sniffed into another type. */
const SAFE_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

function send(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  policy = NOTHING,
): void {
  response.writeHead(status, {
    ...SAFE_HEADERS,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Content-Security-Policy': policy,
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}
