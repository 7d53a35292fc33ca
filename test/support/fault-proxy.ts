import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A fault-injecting reverse proxy on 127.0.0.1 in front of the REAL registry: every request is
 * forwarded (keep-alive) unless a rule says otherwise, and a rule can spoil the answer in the
 * ways registries, load balancers and networks do. Faults are scripted per request pattern
 * (method + path regex) and occurrence (the nth match, the first N, or always), so that a test
 * knows exactly which request of a run fails and how often.
 *
 * Also here: a "foreign host" recording server (127.0.0.2) for redirects and cross-host links,
 * a forward proxy that demands Proxy-Authorization, and a seeded PRNG.
 */

/** What to do with a matching request. */
export type Fault =
  /** Answer this status without forwarding (429 with or without Retry-After, 5xx, 403...). */
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly retryAfter?: string;
      readonly body?: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /**
   * Reset the connection (TCP RST). `at`: 'mid-body' (default: forward, send the status line,
   * the headers and half of the body, then reset), 'after-forward' (the registry executed the
   * request; the client gets nothing), 'before-forward' (nothing reaches the registry).
   */
  | { readonly kind: 'reset'; readonly at?: 'mid-body' | 'after-forward' | 'before-forward' }
  /** Send the headers and half of the body (forwarded), then nothing: the client must give up. */
  | { readonly kind: 'stall' }
  /** Forward, then serve only the first half of the body, as a complete (shorter) response. */
  | { readonly kind: 'truncate' }
  /** Forward, then replace the body with text that is not JSON. */
  | { readonly kind: 'malformed'; readonly body?: string }
  /** Forward, then drop response headers (e.g. docker-content-digest). */
  | { readonly kind: 'drop-headers'; readonly headers: readonly string[] }
  /** Forward, then set response headers (a wrong Content-Type, a Link to another host...). */
  | { readonly kind: 'set-headers'; readonly headers: Readonly<Record<string, string>> }
  /**
   * Forward (so that the real body is known), hand the body to `to` (which stores it where the
   * redirect points) and answer a redirect to the URL it returns instead of the body.
   */
  | {
      readonly kind: 'redirect';
      readonly status?: 301 | 302 | 303 | 307 | 308;
      readonly to: (path: string, body: Buffer, headers: IncomingHttpHeaders) => string;
    }
  /**
   * Hold the request before forwarding it ('before') or after the registry answered and before
   * the answer goes back ('after'); `onHold` is called at that point (e.g. to SIGKILL the
   * client). The request then waits until `release()`; when the proxy stops first, the
   * request is dropped (a held 'before' request never reaches the registry).
   */
  | {
      readonly kind: 'hold';
      readonly phase: 'before' | 'after';
      readonly onHold: (held: HeldRequest) => void;
    };

export interface HeldRequest {
  readonly method: string;
  readonly path: string;
  /** The registry's status ('after' only). */
  readonly status?: number;
  release(): void;
}

/** Which occurrences of a matching request a rule spoils (1-based, counted per rule). */
export type Occurrence = 'always' | { readonly nth: number } | { readonly first: number };

export interface FaultRule {
  /** Exact method (GET, HEAD, DELETE...); any when absent. */
  readonly method?: string;
  /** Tested against the path with its query, as sent (e.g. `/v2/team/app/manifests/dev-1`). */
  readonly path: RegExp;
  /** Default 'always'. */
  readonly when?: Occurrence;
  readonly fault: Fault;
}

/** One request the proxy handled. */
export interface ProxiedRequest {
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** Whether it reached the registry. */
  forwarded: boolean;
  /** What the registry answered, when it was forwarded and answered. */
  upstreamStatus: number | undefined;
  /** The status sent back (undefined when the connection was reset or stalled). */
  status: number | undefined;
  /** The kind of fault applied, if any. */
  fault: Fault['kind'] | undefined;
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT`: put it in config.yaml as registry_url. */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: readonly ProxiedRequest[];
  /** Adds rules (checked in order; the first rule whose occurrence applies wins). */
  addRule(...rules: FaultRule[]): void;
  clearRules(): void;
  /** How many requests matched `method` (any when undefined) and `path`. */
  count(method: string | undefined, path: RegExp): number;
  /** How many requests reached the registry. */
  forwardedCount(): number;
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
]);

function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const result: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name.toLowerCase()) && value !== undefined) result[name] = value;
  }
  return result;
}

interface Upstream {
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    stream.on('error', reject);
  });
}

function forward(
  agent: Agent,
  target: URL,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method,
        path,
        // Host stays as the client sent it: the registry builds absolute URLs from it.
        headers: { ...withoutHopByHop(headers), 'content-length': String(body.length) },
      },
      (response) => {
        readBody(response).then((responseBody) => {
          resolve({
            status: response.statusCode ?? 502,
            headers: withoutHopByHop(response.headers),
            body: responseBody,
          });
        }, reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function send(response: ServerResponse, upstream: Upstream, headOnly: boolean): void {
  response.writeHead(upstream.status, {
    ...upstream.headers,
    'content-length': String(upstream.body.length),
  });
  response.end(headOnly ? undefined : upstream.body);
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.closeAllConnections();
    server.close(() => {
      resolve();
    });
  });
}

/** Starts a fault proxy in front of `registryUrl` (an http:// registry). */
export async function startFaultProxy(
  registryUrl: string,
  rules: readonly FaultRule[] = [],
): Promise<FaultProxy> {
  const target = new URL(registryUrl);
  if (target.protocol !== 'http:') throw new Error('the fault proxy fronts http registries only');
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const active: { rule: FaultRule; seen: number }[] = rules.map((rule) => ({ rule, seen: 0 }));
  const requests: ProxiedRequest[] = [];
  const pendingHolds = new Set<(error?: Error) => void>();

  const pickFault = (method: string, path: string): Fault | undefined => {
    let chosen: Fault | undefined;
    for (const entry of active) {
      const { rule } = entry;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (!rule.path.test(path)) continue;
      entry.seen += 1; // every matching rule counts the request, even when an earlier one wins
      const when = rule.when ?? 'always';
      const applies =
        when === 'always' ||
        ('nth' in when && entry.seen === when.nth) ||
        ('first' in when && entry.seen <= when.first);
      if (applies && chosen === undefined) chosen = rule.fault;
    }
    return chosen;
  };

  const hold = (
    response: ServerResponse,
    held: Omit<HeldRequest, 'release'>,
    fault: Extract<Fault, { kind: 'hold' }>,
  ): Promise<void> =>
    new Promise((resolve, reject) => {
      const settle = (error?: Error): void => {
        pendingHolds.delete(settle);
        if (error === undefined) resolve();
        else reject(error);
      };
      pendingHolds.add(settle);
      // A client that dies while its request is held (the point of a crash test) drops it.
      response.once('close', () => {
        settle(new Error('client gone'));
      });
      fault.onHold({
        ...held,
        release: () => {
          settle();
        },
      });
    });

  const handle = async (
    incoming: IncomingMessage,
    response: ServerResponse,
    record: ProxiedRequest,
  ): Promise<void> => {
    const { method, path } = record;
    const requestBody = await readBody(incoming);
    const headOnly = method === 'HEAD';
    const fault = pickFault(method, path);
    record.fault = fault?.kind;
    const upstream = async (): Promise<Upstream> => {
      record.forwarded = true;
      const result = await forward(agent, target, method, path, incoming.headers, requestBody);
      record.upstreamStatus = result.status;
      return result;
    };
    const answer = (result: Upstream): void => {
      record.status = result.status;
      send(response, result, headOnly);
    };

    if (fault === undefined) {
      answer(await upstream());
      return;
    }
    switch (fault.kind) {
      case 'status': {
        const body = Buffer.from(
          fault.body ??
            JSON.stringify({
              errors: [{ code: 'FAULT', message: `injected ${String(fault.status)}` }],
            }),
        );
        answer({
          status: fault.status,
          headers: {
            'content-type': 'application/json',
            ...(fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter }),
            ...fault.headers,
          },
          body,
        });
        return;
      }
      case 'reset': {
        const at = fault.at ?? 'mid-body';
        if (at === 'before-forward') {
          incoming.socket.resetAndDestroy();
          return;
        }
        const result = await upstream();
        if (at === 'after-forward') {
          incoming.socket.resetAndDestroy();
          return;
        }
        response.writeHead(result.status, {
          ...result.headers,
          'content-length': String(result.body.length),
        });
        response.write(result.body.subarray(0, Math.floor(result.body.length / 2)), () => {
          // resetAndDestroy sends a TCP RST, as a dying load balancer does.
          incoming.socket.resetAndDestroy();
        });
        return;
      }
      case 'stall': {
        const result = await upstream();
        response.writeHead(result.status, {
          ...result.headers,
          'content-length': String(result.body.length),
        });
        // Half the body, then silence until the client hangs up or the proxy stops.
        response.write(result.body.subarray(0, Math.floor(result.body.length / 2)));
        return;
      }
      case 'truncate': {
        const result = await upstream();
        answer({ ...result, body: result.body.subarray(0, Math.floor(result.body.length / 2)) });
        return;
      }
      case 'malformed': {
        const result = await upstream();
        answer({ ...result, body: Buffer.from(fault.body ?? '<html>502 Bad Gateway</html>') });
        return;
      }
      case 'drop-headers': {
        const result = await upstream();
        const drop = new Set(fault.headers.map((name) => name.toLowerCase()));
        const headers = Object.fromEntries(
          Object.entries(result.headers).filter(([name]) => !drop.has(name.toLowerCase())),
        );
        answer({ ...result, headers });
        return;
      }
      case 'set-headers': {
        const result = await upstream();
        const override = new Set(Object.keys(fault.headers).map((name) => name.toLowerCase()));
        const kept = Object.entries(result.headers).filter(
          ([name]) => !override.has(name.toLowerCase()),
        );
        answer({ ...result, headers: { ...Object.fromEntries(kept), ...fault.headers } });
        return;
      }
      case 'redirect': {
        const result = await upstream();
        if (result.status !== 200) {
          answer(result);
          return;
        }
        const location = fault.to(path, result.body, incoming.headers);
        answer({ status: fault.status ?? 307, headers: { location }, body: Buffer.alloc(0) });
        return;
      }
      case 'hold': {
        if (fault.phase === 'before') {
          await hold(response, { method, path }, fault);
          answer(await upstream());
          return;
        }
        const result = await upstream();
        await hold(response, { method, path, status: result.status }, fault);
        answer(result);
        return;
      }
    }
  };

  const server = createServer((incoming, response) => {
    const record: ProxiedRequest = {
      index: requests.length,
      method: incoming.method ?? '',
      path: incoming.url ?? '',
      headers: incoming.headers,
      forwarded: false,
      upstreamStatus: undefined,
      status: undefined,
      fault: undefined,
    };
    requests.push(record);
    handle(incoming, response, record).catch(() => {
      // The client went away or the registry failed: end this exchange, keep the proxy up.
      incoming.socket.destroy();
    });
  });
  const sockets = trackSockets(server);
  const port = await listen(server, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${String(port)}`,
    requests,
    addRule: (...added) => {
      active.push(...added.map((rule) => ({ rule, seen: 0 })));
    },
    clearRules: () => {
      active.length = 0;
    },
    count: (method, path) =>
      requests.filter(
        (entry) => (method === undefined || entry.method === method) && path.test(entry.path),
      ).length,
    forwardedCount: () => requests.filter((entry) => entry.forwarded).length,
    stop: async () => {
      for (const drop of [...pendingHolds]) drop(new Error('fault proxy stopped'));
      await closeServer(server, sockets);
      agent.destroy();
    },
  };
}

/** One request the foreign host received. */
export interface ForeignRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

/**
 * Another host (127.0.0.2 by default: another address, not only another port) standing in for
 * object storage or anything a registry might point at. It records every request with its
 * headers, and serves the bodies put there (e.g. a blob the fault proxy redirected to).
 */
export interface ForeignHost {
  /** `http://127.0.0.2:PORT` */
  readonly url: string;
  readonly requests: readonly ForeignRequest[];
  /** Serves `body` at `path` (with its query) from now on; returns the absolute URL. */
  serve(path: string, body: Buffer, contentType?: string): string;
  stop(): Promise<void>;
}

export async function startForeignHost(host = '127.0.0.2'): Promise<ForeignHost> {
  const requests: ForeignRequest[] = [];
  const bodies = new Map<string, { body: Buffer; contentType: string }>();
  const server = createServer((incoming, response) => {
    const path = incoming.url ?? '';
    requests.push({ method: incoming.method ?? '', path, headers: incoming.headers });
    const stored = bodies.get(path);
    if (stored === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not here');
      return;
    }
    response.writeHead(200, {
      'content-type': stored.contentType,
      'content-length': String(stored.body.length),
    });
    response.end(incoming.method === 'HEAD' ? undefined : stored.body);
  });
  const sockets = trackSockets(server);
  const port = await listen(server, host);
  const url = `http://${host}:${String(port)}`;
  return {
    url,
    requests,
    serve: (path, body, contentType = 'application/octet-stream') => {
      bodies.set(path, { body, contentType });
      return `${url}${path}`;
    },
    stop: () => closeServer(server, sockets),
  };
}

/** One request the forward proxy saw (absolute-form target). */
export interface ForwardProxyRequest {
  readonly method: string;
  readonly target: string;
  /** Whether Proxy-Authorization matched the expected credentials. */
  readonly authorized: boolean;
  /** The Authorization header forwarded to the target, if any (never logged). */
  readonly hasAuthorization: boolean;
}

export interface ForwardProxy {
  /** `http://user:password@127.0.0.1:PORT`, as config.yaml's `proxy`. */
  readonly urlWithCredentials: string;
  readonly requests: readonly ForwardProxyRequest[];
  stop(): Promise<void>;
}

/**
 * A minimal HTTP forward proxy (absolute-form requests; http targets only) that answers 407
 * unless Proxy-Authorization carries `username:password`.
 */
export async function startForwardProxy(credentials: {
  readonly username: string;
  readonly password: string;
}): Promise<ForwardProxy> {
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const agent = new Agent({ keepAlive: true });
  const requests: ForwardProxyRequest[] = [];
  const server = createServer((incoming, response) => {
    const authorized = incoming.headers['proxy-authorization'] === expected;
    const targetText = incoming.url ?? '';
    requests.push({
      method: incoming.method ?? '',
      target: targetText,
      authorized,
      hasAuthorization: incoming.headers.authorization !== undefined,
    });
    if (!authorized) {
      response.writeHead(407, {
        'proxy-authenticate': 'Basic realm="test proxy"',
        'content-type': 'text/plain',
      });
      response.end('proxy authentication required');
      return;
    }
    let target: URL;
    try {
      target = new URL(targetText);
    } catch {
      response.writeHead(400);
      response.end('absolute-form request expected');
      return;
    }
    const headers = withoutHopByHop(incoming.headers);
    delete headers['proxy-authorization'];
    readBody(incoming)
      .then((body) =>
        forward(
          agent,
          target,
          incoming.method ?? 'GET',
          `${target.pathname}${target.search}`,
          {
            ...(headers as IncomingHttpHeaders),
            host: target.host,
          },
          body,
        ),
      )
      .then((result) => {
        send(response, result, incoming.method === 'HEAD');
      })
      .catch(() => {
        incoming.socket.destroy();
      });
  });
  const sockets = trackSockets(server);
  const port = await listen(server, '127.0.0.1');
  const userinfo = `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}`;
  return {
    urlWithCredentials: `http://${userinfo}@127.0.0.1:${String(port)}`,
    requests,
    stop: async () => {
      await closeServer(server, sockets);
      agent.destroy();
    },
  };
}
