import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { RegistryError } from '../../../src/application/ports/registry.port.js';
import type { HttpExchange } from '../../../src/adapters/registry/transport/exchange.js';
import type {
  ExchangeRequest,
  ExchangeResponse,
} from '../../../src/adapters/registry/transport/http-exchange.js';
import { bottleneckRateCeiling } from '../../../src/adapters/registry/transport/rate-ceiling.js';
import {
  RegistryHttpClient,
  type RegistryHttpClientOptions,
} from '../../../src/adapters/registry/transport/registry-http-client.js';
import { RequestLimiter } from '../../../src/adapters/registry/transport/request-limiter.js';
import { RequestStats } from '../../../src/adapters/shared/http/request-stats.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';

// Issue 27 item 2: after SIGINT/SIGTERM no request goes on the wire. Those waiting in the
// request gate or the rate ceiling are dropped at once; the ones already sent finish.

/** An exchange that holds every request until the test answers it: "the wire". */
class HeldExchange implements HttpExchange {
  readonly sent: string[] = [];
  private readonly answers: ((response: ExchangeResponse) => void)[] = [];
  private readonly arrivals: (() => void)[] = [];

  exchange(request: ExchangeRequest): Promise<ExchangeResponse> {
    this.sent.push(`${request.method} ${request.path}`);
    for (const arrived of this.arrivals.splice(0)) arrived();
    return new Promise((resolve) => this.answers.push(resolve));
  }

  /** Resolves once `count` requests are on the wire. */
  async onWire(count: number): Promise<void> {
    while (this.sent.length < count) {
      await new Promise<void>((resolve) => this.arrivals.push(resolve));
    }
  }

  answerAll(status: number): void {
    for (const answer of this.answers.splice(0))
      answer({ status, headers: {}, body: Buffer.from('{}') });
  }
}

const clients: RegistryHttpClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

function client(
  exchange: HttpExchange,
  stop: AbortSignal,
  overrides: Partial<RegistryHttpClientOptions> = {},
): RegistryHttpClient {
  const created = new RegistryHttpClient({
    timeoutMs: 2000,
    gate: new RequestLimiter(1),
    httpLogs: false,
    insecure: false,
    logger: new RecordingLogger(),
    stats: new RequestStats(),
    exchange,
    stop,
    random: () => 0.5,
    ...overrides,
  });
  clients.push(created);
  return created;
}

const get = (path: string) =>
  ({
    kind: 'manifest-get',
    method: 'GET',
    url: `http://127.0.0.1:9/v2/a/manifests/${path}`,
  }) as const;
const del = (path: string) =>
  ({ kind: 'delete', method: 'DELETE', url: `http://127.0.0.1:9/v2/a/manifests/${path}` }) as const;

const isStopped = (error: unknown): boolean =>
  error instanceof RegistryError && error.kind === 'stopped';

describe('after a stop signal the registry client sends nothing new', () => {
  it('requests waiting in the gate are dropped at once; the one in flight finishes', async () => {
    const wire = new HeldExchange();
    const stop = new AbortController();
    const http = client(wire, stop.signal);
    const first = http.send(del('sha256:1'));
    const queued = [http.send(del('sha256:2')), http.send(get('v3')), http.send(get('v4'))];
    await wire.onWire(1);
    stop.abort();
    // Dropped while the first is still on the wire: nothing waits for its slot.
    for (const request of queued) await assert.rejects(request, isStopped);
    wire.answerAll(202);
    assert.equal((await first).status, 202);
    assert.deepEqual(wire.sent, ['DELETE /v2/a/manifests/sha256:1']);
    await assert.rejects(http.send(get('later')), isStopped);
    assert.equal(wire.sent.length, 1);
  });

  it('requests waiting in the rate ceiling are dropped at once (not at its pace)', async () => {
    const wire = new HeldExchange();
    const stop = new AbortController();
    // One a second: without the drop, the last of these would start 3 s from now.
    const http = client(wire, stop.signal, {
      gate: new RequestLimiter(8),
      rateCeiling: bottleneckRateCeiling(1),
    });
    const first = http.send(del('sha256:1'));
    const queued = [http.send(del('sha256:2')), http.send(get('v3')), http.send(get('v4'))];
    await wire.onWire(1);
    const stoppedAt = performance.now();
    stop.abort();
    for (const request of queued) await assert.rejects(request, isStopped);
    assert.ok(performance.now() - stoppedAt < 500, 'dropped without waiting for the ceiling');
    wire.answerAll(202);
    assert.equal((await first).status, 202);
    assert.deepEqual(wire.sent, ['DELETE /v2/a/manifests/sha256:1']);
  });

  it('a retry waiting for its backoff is not sent', async () => {
    const wire = new HeldExchange();
    const stop = new AbortController();
    let slept = (): void => undefined;
    const sleeping = new Promise<void>((resolve) => {
      slept = resolve;
    });
    const http = client(wire, stop.signal, {
      // The backoff never ends by itself: only the signal can end it.
      sleep: () => {
        slept();
        return new Promise<void>(() => undefined);
      },
    });
    const request = http.send(get('v1'));
    await wire.onWire(1);
    wire.answerAll(503);
    await sleeping;
    stop.abort();
    await assert.rejects(request, isStopped);
    assert.equal(wire.sent.length, 1);
  });

  it('a client whose signal was aborted before it was made sends nothing', async () => {
    const wire = new HeldExchange();
    const stop = new AbortController();
    stop.abort();
    await assert.rejects(client(wire, stop.signal).send(get('v1')), isStopped);
    assert.deepEqual(wire.sent, []);
  });
});

describe('RequestLimiter.dropWaiting', () => {
  it('rejects the waiting tasks without starting them and leaves the running one alone', async () => {
    const limiter = new RequestLimiter(1);
    let finish = (): void => undefined;
    const running = limiter.run(
      () =>
        new Promise<string>((resolve) => {
          finish = () => {
            resolve('done');
          };
        }),
    );
    const started: string[] = [];
    const waiting = ['a', 'b'].map((name) =>
      limiter.run(() => {
        started.push(name);
        return Promise.resolve(name);
      }),
    );
    assert.equal(limiter.queued, 2);
    limiter.dropWaiting(new Error('stopping'));
    for (const task of waiting) await assert.rejects(task, /stopping/);
    assert.equal(limiter.queued, 0);
    finish();
    assert.equal(await running, 'done');
    // The slot is free again: a task run now starts at once.
    assert.equal(await limiter.run(() => Promise.resolve('next')), 'next');
    assert.deepEqual(started, []);
  });
});
