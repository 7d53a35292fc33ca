import assert from 'node:assert/strict';
import http from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { send as rawSend } from '../../../src/adapters/demo/image-push/http-request.js';
import { ConnectionPool } from '../../../src/adapters/registry/transport/connection-pool.js';
import {
  exchange,
  targetOf,
  type ExchangeResponse,
} from '../../../src/adapters/registry/transport/http-exchange.js';
import { RegistryHttpClient } from '../../../src/adapters/registry/transport/registry-http-client.js';
import { axiosExchange } from '../../../src/adapters/registry/transport/exchange.js';
import { RequestLimiter } from '../../../src/adapters/registry/transport/request-limiter.js';
import { RequestStats } from '../../../src/adapters/shared/http/request-stats.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import {
  answer,
  answerPartlyThenClose,
  answerThenClose,
  dropConnection,
  resetConnection,
  startConnectionServer,
  type ConnectionHandler,
  type ConnectionServer,
} from '../../support/connection-server.js';

/**
 * Issue 13: a request written into a pooled connection that the peer had already closed is sent
 * again at once on a new connection (not a retry, no backoff); anything else stays the retry
 * loop's business. A peer that closes every connection after one answer gets no pooled sockets.
 */

const servers: ConnectionServer[] = [];
const pools: ConnectionPool[] = [];
const clients: RegistryHttpClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const pool of pools.splice(0)) pool.destroy();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function serve(handler: ConnectionHandler): Promise<ConnectionServer> {
  const server = await startConnectionServer(handler);
  servers.push(server);
  return server;
}

function httpPool(now?: () => number): ConnectionPool {
  const pool = new ConnectionPool((keepAlive) => new http.Agent({ keepAlive }), now);
  pools.push(pool);
  return pool;
}

/** The first request on a connection is answered; the connection is then dropped by `later`. */
function answerFirstOnly(later: ConnectionHandler): ConnectionHandler {
  return (request, response, socket) => {
    if (request.onConnection === 0) answer(response);
    else later(request, response, socket);
  };
}

function send(
  server: ConnectionServer,
  pool: ConnectionPool,
  method = 'GET',
  resends: string[] = [],
): Promise<ExchangeResponse> {
  return exchange({
    method,
    target: targetOf(new URL(server.url)),
    path: '/v2/a/manifests/1',
    headers: {},
    agent: pool.agent,
    timeoutMs: 5_000,
    maxBodyBytes: 1_000_000,
    onResend: (code) => resends.push(code),
  });
}

describe('a request lost to a pooled connection the peer had closed', () => {
  for (const method of ['GET', 'HEAD', 'DELETE']) {
    it(`${method}: sent again at once on a new connection`, async () => {
      // The second request on a connection finds it closed, as a proxy's closed socket would be.
      const server = await serve(
        answerFirstOnly((_request, _response, socket) => {
          dropConnection(socket);
        }),
      );
      const pool = httpPool();
      const resends: string[] = [];
      assert.equal((await send(server, pool, method)).status, 200);
      assert.equal((await send(server, pool, method, resends)).status, 200);
      assert.deepEqual(resends, ['ECONNRESET']);
      assert.deepEqual(
        server.requests.map((request) => [request.method, request.connection]),
        [
          [method, 0],
          [method, 0],
          [method, 1],
        ],
        'the resend went out on a new connection',
      );
    });
  }

  it('the resend never takes another pooled connection (they may all be dead)', async () => {
    const server = await serve(
      answerFirstOnly((_request, _response, socket) => {
        dropConnection(socket);
      }),
    );
    const pool = httpPool();
    await Promise.all([send(server, pool), send(server, pool), send(server, pool)]);
    assert.equal(server.connections(), 3, 'three connections in the pool');
    const resends: string[] = [];
    assert.equal((await send(server, pool, 'GET', resends)).status, 200);
    assert.equal(resends.length, 1);
    assert.equal(server.requests.at(-1)?.connection, 3);
  });

  it('a DELETE whose resend is answered 404 returns the 404 (already gone, for the adapter)', async () => {
    const server = await serve((request, response, socket) => {
      if (request.connection === 0 && request.onConnection === 0) answer(response, 202);
      else if (request.connection === 0) resetConnection(socket);
      else answer(response, 404);
    });
    const pool = httpPool();
    const resends: string[] = [];
    assert.equal((await send(server, pool, 'DELETE')).status, 202);
    assert.equal((await send(server, pool, 'DELETE', resends)).status, 404);
    assert.equal(resends.length, 1);
  });

  it('is not resent once a byte of the answer had arrived', async () => {
    const server = await serve(
      answerFirstOnly((_request, _response, socket) => {
        answerPartlyThenClose(socket);
      }),
    );
    const pool = httpPool();
    const resends: string[] = [];
    await send(server, pool);
    await assert.rejects(send(server, pool, 'GET', resends), { code: 'ECONNRESET' });
    assert.deepEqual(resends, []);
    assert.equal(server.requests.length, 2);
  });

  it('a reset on a new connection is not resent: it is the retry loop’s', async () => {
    const server = await serve((_request, _response, socket) => {
      resetConnection(socket);
    });
    const pool = httpPool();
    const resends: string[] = [];
    await assert.rejects(send(server, pool, 'GET', resends), { code: 'ECONNRESET' });
    assert.deepEqual(resends, []);
    assert.equal(server.requests.length, 1);
  });

  it('is resent once only: a resend that fails too is an ordinary failure', async () => {
    const server = await serve((request, response, socket) => {
      if (request.connection === 0 && request.onConnection === 0) answer(response);
      else resetConnection(socket);
    });
    const pool = httpPool();
    const resends: string[] = [];
    await send(server, pool);
    await assert.rejects(send(server, pool, 'GET', resends), { code: 'ECONNRESET' });
    assert.equal(resends.length, 1);
    assert.equal(server.requests.length, 3);
  });
});

describe('RegistryHttpClient and a closed pooled connection', () => {
  it('no retry and no backoff; one log line and one count per request on the wire', async () => {
    const server = await serve(
      answerFirstOnly((_request, _response, socket) => {
        dropConnection(socket);
      }),
    );
    const sleeps: number[] = [];
    const stats = new RequestStats();
    const logger = new RecordingLogger();
    const client = new RegistryHttpClient({
      timeoutMs: 5_000,
      exchange: axiosExchange,
      gate: new RequestLimiter(1),
      httpLogs: true,
      insecure: false,
      logger,
      stats,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    });
    clients.push(client);
    const url = `${server.url}/v2/a/tags/list`;
    assert.equal((await client.send({ kind: 'tags', method: 'GET', url })).status, 200);
    assert.equal((await client.send({ kind: 'tags', method: 'GET', url })).status, 200);
    assert.deepEqual(sleeps, []);
    assert.equal(stats.retries, 0);
    assert.equal(stats.count('tags'), 3);
    assert.deepEqual(
      logger.entries.map((entry) => [entry.fields['status'], entry.fields['retry']]),
      [
        ['200', 0],
        ['ECONNRESET (stale connection, resent)', 0],
        ['200', 0],
      ],
    );
  });

  it('through a peer that closes after every answer: all answered, no retry, no backoff', async () => {
    const server = await serve((_request, response, socket) => {
      answerThenClose(response, socket);
    });
    const sleeps: number[] = [];
    const stats = new RequestStats();
    const client = new RegistryHttpClient({
      timeoutMs: 5_000,
      exchange: axiosExchange,
      gate: new RequestLimiter(8),
      httpLogs: false,
      insecure: false,
      logger: new RecordingLogger(),
      stats,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    });
    clients.push(client);
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        client
          .send({ kind: 'tags', method: 'GET', url: `${server.url}/v2/r${index}/tags/list` })
          .then((response) => response.status),
      ),
    );
    assert.deepEqual(new Set(statuses), new Set([200]));
    assert.deepEqual(sleeps, []);
    assert.equal(stats.retries, 0);
  });
});

/** A GET through `pool`; resolves with its socket once the answer is complete. */
function get(server: ConnectionServer, pool: ConnectionPool): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${server.url}/v2/`, { agent: pool.agent }, (response) => {
      response.resume();
      response.on('end', () => {
        resolve(request);
      });
    });
    request.on('error', reject);
  });
}

/** Resolves when `request`'s socket has closed. */
function closed(request: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const socket = request.socket;
    if (socket === null || socket.closed) resolve();
    else socket.once('close', resolve);
  });
}

describe('ConnectionPool: a peer that never reuses connections', () => {
  it('closing every connection right after its answer: sockets stop going to the pool', async () => {
    const server = await serve((_request, response, socket) => {
      answerThenClose(response, socket);
    });
    const pool = httpPool();
    for (let n = 0; n < 3; n++) {
      assert.equal(pool.reusesConnections, true, `still pooling after ${String(n)} closes`);
      await closed(await get(server, pool));
    }
    assert.equal(pool.reusesConnections, false);
    // From now on no socket is handed out again, so no request can meet a closed one.
    const requests = await Promise.all(Array.from({ length: 20 }, () => get(server, pool)));
    assert.deepEqual(new Set(requests.map((request) => request.reusedSocket)), new Set([false]));
    assert.equal(server.connections(), 23);
  });

  it('a peer that keeps connections open keeps its pool', async () => {
    const server = await serve((_request, response) => {
      answer(response);
    });
    const pool = httpPool();
    for (let n = 0; n < 5; n++) await get(server, pool);
    assert.equal(pool.reusesConnections, true);
    assert.equal(server.connections(), 1);
  });

  it('connections closed after an idle time (an idle timeout, not a policy) keep the pool', async () => {
    let clock = 0;
    const pool = httpPool(() => clock);
    let last: Socket | undefined;
    const server = await serve((_request, response, socket) => {
      last = socket;
      answer(response);
    });
    for (let n = 0; n < 4; n++) {
      const request = await get(server, pool);
      clock += 5_000;
      last?.end(); // the peer closes it 5 s after the answer
      await closed(request);
    }
    assert.equal(pool.reusesConnections, true);
    const [first, second] = [await get(server, pool), await get(server, pool)];
    assert.equal(first.reusedSocket, false);
    assert.equal(second.reusedSocket, true, 'the pool still hands out sockets');
  });
});

describe("the demo pusher's raw send (also the tests' fixture builder)", () => {
  it('sends again once a request lost to a kept-alive connection the server had closed', async () => {
    const server = await serve(
      answerFirstOnly((_request, _response, socket) => {
        resetConnection(socket);
      }),
    );
    const agent = new http.Agent({ keepAlive: true });
    try {
      const url = new URL(`${server.url}/token`);
      assert.equal((await rawSend({ method: 'GET', url, agent })).status, 200);
      assert.equal((await rawSend({ method: 'GET', url, agent })).status, 200);
      assert.equal(server.requests.length, 3);
    } finally {
      agent.destroy();
    }
  });

  it('does not resend a reset on a new connection', async () => {
    const server = await serve((_request, _response, socket) => {
      resetConnection(socket);
    });
    const agent = new http.Agent({ keepAlive: true });
    try {
      const url = new URL(`${server.url}/token`);
      await assert.rejects(rawSend({ method: 'GET', url, agent }), { code: 'ECONNRESET' });
      assert.equal(server.requests.length, 1);
    } finally {
      agent.destroy();
    }
  });
});
