import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { RegistryError } from '../../../src/application/ports/registry.port.js';
import {
  RegistryHttpClient,
  type RegistryHttpClientOptions,
} from '../../../src/adapters/registry/transport/registry-http-client.js';
import {
  bottleneckRateCeiling,
  type RateCeiling,
} from '../../../src/adapters/registry/transport/rate-ceiling.js';
import { axiosExchange } from '../../../src/adapters/registry/transport/exchange.js';
import { RequestLimiter } from '../../../src/adapters/registry/transport/request-limiter.js';
import { RequestStats } from '../../../src/adapters/shared/http/request-stats.js';
import { DEFAULT_RETRY_POLICY } from '../../../src/adapters/shared/http/retry-policy.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import {
  resetConnection,
  sendJson,
  stallBody,
  startFaultServer,
  type FaultHandler,
  type FaultServer,
} from '../../support/fault-server.js';

const NOW = new Date('2025-05-05T12:00:00Z');

interface Harness {
  client: RegistryHttpClient;
  sleeps: number[];
  stats: RequestStats;
  logger: RecordingLogger;
}

const servers: FaultServer[] = [];
const clients: RegistryHttpClient[] = [];

async function serve(handler: FaultHandler, host?: string): Promise<FaultServer> {
  const server = await startFaultServer(handler, host);
  servers.push(server);
  return server;
}

function harness(overrides: Partial<RegistryHttpClientOptions> = {}): Harness {
  const sleeps: number[] = [];
  const stats = new RequestStats();
  const logger = new RecordingLogger();
  const client = new RegistryHttpClient({
    timeoutMs: 2000,
    gate: new RequestLimiter(4),
    exchange: axiosExchange,
    httpLogs: true,
    insecure: false,
    logger,
    stats,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    now: () => NOW,
    ...overrides,
  });
  clients.push(client);
  return { client, sleeps, stats, logger };
}

function isRegistryError(kind: string, pattern: RegExp): (error: unknown) => boolean {
  return (error) =>
    error instanceof RegistryError && error.kind === kind && pattern.test(error.message);
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

describe('RegistryHttpClient retries', () => {
  it('waits Retry-After seconds after a 429, then succeeds', async () => {
    const server = await serve((_request, response, index) => {
      if (index === 0)
        sendJson(response, 429, { errors: [{ code: 'TOOMANYREQUESTS' }] }, { 'retry-after': '3' });
      else sendJson(response, 200, { ok: true });
    });
    const { client, sleeps, stats } = harness();
    const response = await client.send({
      kind: 'tags',
      method: 'GET',
      url: `${server.url}/v2/a/tags/list`,
    });
    assert.equal(response.status, 200);
    assert.deepEqual(sleeps, [3000]);
    assert.equal(stats.count('tags'), 2);
    assert.equal(stats.retries, 1);
  });

  it('understands Retry-After as an HTTP date', async () => {
    const server = await serve((_request, response, index) => {
      if (index === 0)
        sendJson(response, 429, {}, { 'retry-after': 'Mon, 05 May 2025 12:00:12 GMT' });
      else sendJson(response, 200, {});
    });
    const { client, sleeps } = harness();
    await client.send({ kind: 'tags', method: 'GET', url: `${server.url}/v2/a/tags/list` });
    assert.deepEqual(sleeps, [12_000]);
  });

  it('gives up after a bounded number of retries on 503 and returns the last answer', async () => {
    const server = await serve((_request, response) => {
      sendJson(response, 503, { errors: [{ code: 'UNAVAILABLE' }] });
    });
    const { client, sleeps, stats } = harness();
    const response = await client.send({
      kind: 'manifest-get',
      method: 'GET',
      url: `${server.url}/v2/a/manifests/1`,
    });
    assert.equal(response.status, 503);
    assert.equal(server.requests.length, DEFAULT_RETRY_POLICY.maxRetries + 1);
    assert.equal(sleeps.length, DEFAULT_RETRY_POLICY.maxRetries);
    // Exponential steps with random() = 0.5: 3/4 of 500, 1000, 2000, 4000 ms.
    assert.deepEqual(sleeps, [375, 750, 1500, 3000]);
    assert.equal(stats.count('manifest-get'), 5);
  });

  for (const status of [400, 401, 403, 404, 405, 500]) {
    it(`never retries a ${status}`, async () => {
      const server = await serve((_request, response) => {
        sendJson(response, status, {});
      });
      const { client, sleeps } = harness();
      const response = await client.send({
        kind: 'delete',
        method: 'DELETE',
        url: `${server.url}/v2/a/manifests/x`,
      });
      assert.equal(response.status, status);
      assert.equal(server.requests.length, 1);
      assert.deepEqual(sleeps, []);
    });
  }

  it('retries a reset connection', async () => {
    const server = await serve((_request, response, index) => {
      if (index < 2) resetConnection(response);
      else sendJson(response, 200, {});
    });
    const { client, sleeps } = harness();
    const response = await client.send({
      kind: 'blob',
      method: 'GET',
      url: `${server.url}/v2/a/blobs/x`,
    });
    assert.equal(response.status, 200);
    assert.equal(sleeps.length, 2);
  });

  it('reports resets that never stop as unavailable, after the retries', async () => {
    const server = await serve((_request, response) => {
      resetConnection(response);
    });
    const { client } = harness();
    await assert.rejects(
      client.send({ kind: 'blob', method: 'GET', url: `${server.url}/v2/a/blobs/x` }),
      isRegistryError('unavailable', /connection reset|socket hang up/i),
    );
    assert.equal(server.requests.length, DEFAULT_RETRY_POLICY.maxRetries + 1);
  });

  it('reports a refused connection as unavailable after its retries', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => {
          resolve(typeof address === 'object' && address !== null ? address.port : 1);
        });
      });
    });
    const { client, stats } = harness();
    await assert.rejects(
      client.send({ kind: 'probe', method: 'GET', url: `http://127.0.0.1:${port}/v2/` }),
      isRegistryError('unavailable', /connection refused \(ECONNREFUSED\) \(after 4 retries\)/),
    );
    assert.equal(stats.count('probe'), 5);
  });

  it('times out a server that never answers', async () => {
    const server = await serve(() => {
      /* never answers */
    });
    const { client } = harness({
      timeoutMs: 150,
      retryPolicy: { ...DEFAULT_RETRY_POLICY, maxRetries: 1 },
    });
    await assert.rejects(
      client.send({ kind: 'manifest-get', method: 'GET', url: `${server.url}/v2/a/manifests/1` }),
      isRegistryError('unavailable', /within 0\.2 s \(timeout\).*after 1 retry/),
    );
    assert.equal(server.requests.length, 2);
  });

  it('times out a body that stalls after the headers', async () => {
    const server = await serve((_request, response) => {
      stallBody(response);
    });
    const { client } = harness({
      timeoutMs: 200,
      retryPolicy: { ...DEFAULT_RETRY_POLICY, maxRetries: 0 },
    });
    const started = Date.now();
    await assert.rejects(
      client.send({ kind: 'manifest-get', method: 'GET', url: `${server.url}/v2/a/manifests/1` }),
      isRegistryError('unavailable', /timeout/),
    );
    assert.ok(Date.now() - started < 2000);
  });
});

describe('RegistryHttpClient redirects', () => {
  it('follows a blob redirect to another host without the Authorization header', async () => {
    const storage = await serve((_request, response) => {
      sendJson(response, 200, { created: '2024-01-01T00:00:00Z' });
    }, '127.0.0.2');
    const registry = await serve((_request, response) => {
      response.writeHead(307, { location: `${storage.url}/bucket/blob?X-Amz-Signature=s3cr3t` });
      response.end();
    });
    const { client, stats, logger } = harness();
    const response = await client.send({
      kind: 'blob',
      method: 'GET',
      url: `${registry.url}/v2/a/blobs/sha256:x`,
      headers: { Authorization: 'Bearer tok3n' },
      followRedirects: true,
    });
    assert.equal(response.status, 200);
    assert.equal(response.url, `${storage.url}/bucket/blob?X-Amz-Signature=s3cr3t`);
    assert.equal(registry.requests[0]?.headers.authorization, 'Bearer tok3n');
    assert.equal(storage.requests.length, 1);
    assert.equal(storage.requests[0]?.headers.authorization, undefined);
    assert.equal(stats.count('blob'), 2);
    assert.doesNotMatch(logger.text(), /s3cr3t|tok3n/);
  });

  it('keeps Authorization on a redirect within the registry', async () => {
    const registry = await serve((request, response) => {
      if (request.url === '/v2/a/blobs/x') {
        response.writeHead(302, { location: '/v2/other/blobs/x' });
        response.end();
      } else {
        sendJson(response, 200, {});
      }
    });
    const { client } = harness();
    await client.send({
      kind: 'blob',
      method: 'GET',
      url: `${registry.url}/v2/a/blobs/x`,
      headers: { Authorization: 'Basic abc' },
      followRedirects: true,
    });
    assert.equal(registry.requests[1]?.headers.authorization, 'Basic abc');
  });

  it('does not follow redirects for requests that do not ask for it', async () => {
    const registry = await serve((_request, response) => {
      response.writeHead(302, { location: 'http://127.0.0.2:1/elsewhere' });
      response.end();
    });
    const { client } = harness();
    const response = await client.send({
      kind: 'manifest-get',
      method: 'GET',
      url: `${registry.url}/v2/a/manifests/1`,
    });
    assert.equal(response.status, 302);
    assert.equal(registry.requests.length, 1);
  });

  it('stops a redirect loop', async () => {
    const registry = await serve((_request, response) => {
      response.writeHead(302, { location: '/v2/a/blobs/x' });
      response.end();
    });
    const { client } = harness();
    await assert.rejects(
      client.send({
        kind: 'blob',
        method: 'GET',
        url: `${registry.url}/v2/a/blobs/x`,
        followRedirects: true,
      }),
      isRegistryError('invalid-response', /redirects/),
    );
  });
});

describe('RegistryHttpClient transport', () => {
  it('logs one line per request with method, URL, status, duration and retry, only with --http-logs', async () => {
    const server = await serve((_request, response, index) => {
      if (index === 0) sendJson(response, 503, {});
      else sendJson(response, 200, {});
    });
    const { client, logger } = harness();
    await client.send({
      kind: 'token',
      method: 'GET',
      url: `${server.url}/token?service=reg&scope=repository:a:pull&password=hunter2`,
      headers: { Authorization: 'Basic c2VjcmV0' },
    });
    assert.equal(logger.entries.length, 2);
    const first = logger.entries[0];
    const second = logger.entries[1];
    assert.ok(first && second);
    assert.equal(first.fields['method'], 'GET');
    assert.equal(first.fields['status'], '503');
    assert.equal(first.fields['retry'], 0);
    assert.equal(second.fields['status'], '200');
    assert.equal(second.fields['retry'], 1);
    assert.equal(typeof second.fields['durationMs'], 'number');
    assert.match(
      String(second.fields['url']),
      /\/token\?service=reg&scope=repository%3Aa%3Apull&password=REDACTED$/,
    );
    assert.doesNotMatch(logger.text(), /hunter2|c2VjcmV0/);

    const quiet = harness({ httpLogs: false });
    await quiet.client.send({ kind: 'probe', method: 'GET', url: `${server.url}/v2/` });
    assert.equal(quiet.logger.entries.length, 0);
  });

  it('keeps at most maxConcurrentRequests requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const server = await serve((_request, response) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        sendJson(response, 200, {});
      }, 20);
    });
    const { client } = harness({ gate: new RequestLimiter(2) });
    await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        client.send({ kind: 'blob', method: 'GET', url: `${server.url}/v2/a/blobs/${index}` }),
      ),
    );
    assert.equal(server.requests.length, 8);
    assert.equal(peak, 2);
  });

  it('reuses kept-alive connections', async () => {
    const ports = new Set<number>();
    const server = await serve((request, response) => {
      ports.add(request.socket.remotePort ?? 0);
      sendJson(response, 200, {});
    });
    const { client } = harness({ gate: new RequestLimiter(1) });
    for (let index = 0; index < 3; index += 1) {
      await client.send({ kind: 'tags', method: 'GET', url: `${server.url}/v2/a/tags/list` });
    }
    assert.equal(ports.size, 1);
  });

  it('refuses a body larger than any manifest', { timeout: 10_000 }, async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(1024 * 1024);
      for (let index = 0; index < 40; index += 1) response.write(chunk);
      response.end();
    });
    const { client } = harness();
    await assert.rejects(
      client.send({ kind: 'blob', method: 'GET', url: `${server.url}/v2/a/blobs/x` }),
      isRegistryError('invalid-response', /too large/),
    );
  });
});

describe('RegistryHttpClient rate ceiling', () => {
  it('sends every attempt through the ceiling when one is configured, inside the request gate', async () => {
    const server = await serve((_request, response) => {
      sendJson(response, 200, {});
    });
    let scheduled = 0;
    let peak = 0;
    let waiting = 0;
    const rateCeiling: RateCeiling = {
      schedule: async <T>(task: () => Promise<T>): Promise<T> => {
        scheduled += 1;
        waiting += 1;
        peak = Math.max(peak, waiting);
        try {
          return await task();
        } finally {
          waiting -= 1;
        }
      },
      stop: () => undefined,
    };
    const { client } = harness({ gate: new RequestLimiter(3), rateCeiling });
    await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        client.send({ kind: 'blob', method: 'GET', url: `${server.url}/v2/a/blobs/${index}` }),
      ),
    );
    assert.equal(scheduled, 12);
    assert.equal(server.requests.length, 12);
    // The gate comes first: a request waiting for the ceiling already holds its slot.
    assert.ok(peak <= 3, `at most 3 in the ceiling at once, saw ${String(peak)}`);
  });

  it('Bottleneck spaces the starts by 1/rate seconds', async () => {
    const ceiling = bottleneckRateCeiling(50);
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, () =>
        ceiling.schedule(() => {
          starts.push(performance.now());
          return Promise.resolve();
        }),
      ),
    );
    // Four gaps of 20 ms; timers fire late rather than early, so this lower bound holds on a
    // loaded machine (without the ceiling the five start within a millisecond).
    const span = (starts[4] ?? 0) - (starts[0] ?? 0);
    assert.ok(span >= 60, `5 starts at 50/s span ${span.toFixed(1)} ms, expected about 80`);
  });
});
