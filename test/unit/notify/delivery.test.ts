import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  deliveredWithin,
  deliverWithRetries,
  type AttemptOutcome,
} from '../../../src/adapters/notify/delivery.js';
import { classifyStatus } from '../../../src/adapters/notify/http-poster.js';
import { instantTiming } from '../../fakes/instant-timing.js';

const down: AttemptOutcome = { ok: false, retryable: true, problem: 'HTTP 503' };

describe('deliverWithRetries', () => {
  it('retries a retryable failure at most 4 times, with growing jittered waits', async () => {
    const timing = instantTiming();
    let calls = 0;
    const result = await deliverWithRetries(() => {
      calls += 1;
      return Promise.resolve(down);
    }, timing);
    assert.deepEqual(result, { delivered: false, attempts: 5, problem: 'HTTP 503' });
    assert.equal(calls, 5);
    assert.deepEqual(timing.waits, [1500, 3000, 6000, 11250]);
  });

  it('stops at the first success, and at once on a failure no retry fixes', async () => {
    const timing = instantTiming();
    const outcomes: AttemptOutcome[] = [down, { ok: true }];
    assert.deepEqual(
      await deliverWithRetries(() => Promise.resolve(outcomes.shift() ?? down), timing),
      { delivered: true, attempts: 2 },
    );
    const refused = await deliverWithRetries(
      () => Promise.resolve({ ok: false, retryable: false, problem: 'HTTP 404' }),
      timing,
    );
    assert.deepEqual(refused, { delivered: false, attempts: 1, problem: 'HTTP 404' });
  });

  it('honours Retry-After, capped at a minute', async () => {
    const timing = instantTiming();
    const outcomes: AttemptOutcome[] = [
      { ...down, retryAfterMs: 7_000 },
      { ...down, retryAfterMs: 3_600_000 },
      { ok: true },
    ];
    await deliverWithRetries(() => Promise.resolve(outcomes.shift() ?? down), timing);
    assert.deepEqual(timing.waits, [7_000, 60_000]);
  });
});

describe('classifyStatus', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  it('2xx delivered; 408, 429, 5xx retried (Retry-After read); 3xx and other 4xx not', () => {
    assert.deepEqual(classifyStatus(202, undefined, '', now), { ok: true });
    assert.deepEqual(classifyStatus(429, '12', 'slow down', now), {
      ok: false,
      retryable: true,
      problem: 'HTTP 429 slow down',
      retryAfterMs: 12_000,
    });
    assert.equal(classifyStatus(408, undefined, '', now).ok, false);
    assert.deepEqual(classifyStatus(500, undefined, '', now), {
      ok: false,
      retryable: true,
      problem: 'HTTP 500',
    });
    const notFound = classifyStatus(404, undefined, 'no_service', now);
    assert.deepEqual(notFound, { ok: false, retryable: false, problem: 'HTTP 404 no_service' });
    const moved = classifyStatus(301, undefined, '', now);
    assert.ok(!moved.ok && !moved.retryable);
  });
});

describe('deliveredWithin (the interrupted-run message)', () => {
  it('a delivery that does not end in time counts as not delivered', async () => {
    const never = new Promise<never>(() => undefined);
    const result = await deliveredWithin(never, 1);
    assert.equal(result.delivered, false);
    assert.match(result.problem ?? '', /not delivered within 0\.001 s of the shutdown/);
  });

  it('a delivery that ends in time is its own result', async () => {
    const result = await deliveredWithin(Promise.resolve({ delivered: true, attempts: 2 }), 60_000);
    assert.deepEqual(result, { delivered: true, attempts: 2 });
  });
});
