import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_RETRY_POLICY,
  isRetryableCode,
  isRetryableStatus,
  parseRetryAfter,
  retryDelayMs,
} from '../../../src/adapters/shared/http/retry-policy.js';

const NOW = new Date('2025-05-05T12:00:00Z');

describe('retry policy', () => {
  it('retries 408, 429, 502, 503, 504 and no other status', () => {
    for (const status of [408, 429, 502, 503, 504]) {
      assert.ok(isRetryableStatus(status, DEFAULT_RETRY_POLICY), String(status));
    }
    for (const status of [200, 202, 400, 401, 403, 404, 405, 409, 500, 501]) {
      assert.ok(!isRetryableStatus(status, DEFAULT_RETRY_POLICY), String(status));
    }
  });

  it('retries resets, timeouts and refused connections, not DNS or TLS failures', () => {
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'DEADLINE']) {
      assert.ok(isRetryableCode(code), code);
    }
    for (const code of ['ENOTFOUND', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_BAD_RESPONSE']) {
      assert.ok(!isRetryableCode(code), code);
    }
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('7', NOW), 7000);
    assert.equal(parseRetryAfter(' 0 ', NOW), 0);
    assert.equal(parseRetryAfter('Mon, 05 May 2025 12:00:30 GMT', NOW), 30_000);
    assert.equal(parseRetryAfter('Mon, 05 May 2025 11:00:00 GMT', NOW), 0);
    assert.equal(parseRetryAfter('soon', NOW), undefined);
    assert.equal(parseRetryAfter(undefined, NOW), undefined);
  });

  it('honours Retry-After up to a cap', () => {
    assert.equal(
      retryDelayMs(1, DEFAULT_RETRY_POLICY, () => 0.5, 7000),
      7000,
    );
    assert.equal(
      retryDelayMs(1, DEFAULT_RETRY_POLICY, () => 0.5, 3_600_000),
      DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    );
  });

  it('backs off exponentially with jitter between half and all of the step, capped', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(
      retryDelayMs(1, policy, () => 0),
      50,
    );
    assert.equal(
      retryDelayMs(1, policy, () => 1),
      100,
    );
    assert.equal(
      retryDelayMs(3, policy, () => 0),
      200,
    );
    assert.equal(
      retryDelayMs(3, policy, () => 1),
      400,
    );
    assert.equal(
      retryDelayMs(10, policy, () => 1),
      1000,
    );
  });
});
