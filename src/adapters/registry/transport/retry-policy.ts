export interface RetryPolicy {
  /** Attempts after the first one. */
  readonly maxRetries: number;
  /** Backoff before retry n (1-based) is about baseDelayMs * 2^(n-1), jittered. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Upper bound for a server's `Retry-After`, so that one answer cannot park a job for hours. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 60_000,
};

/** registry-v2.md "Known traps": retry 408, 429, 502, 503, 504; never any other 4xx. */
const RETRYABLE_STATUSES = new Set([408, 429, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * Transport failures worth another try: resets and hang-ups (a proxy or load balancer dropped a
 * kept-alive socket), timeouts, and refused connections (a registry restarting behind its
 * service: reported as 'unavailable' once the retries are spent). DNS "not found" and TLS
 * failures are configuration problems that no retry fixes.
 */
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'DEADLINE',
]);

export function isRetryableCode(code: string): boolean {
  return RETRYABLE_CODES.has(code);
}

/** `Retry-After` in milliseconds from now: delta-seconds or an HTTP date; undefined if absent or garbage. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed) * 1000;
  }
  const at = Date.parse(trimmed);
  if (trimmed === '' || Number.isNaN(at)) {
    return undefined;
  }
  return Math.max(0, at - now.getTime());
}

/**
 * How long to wait before retry `retry` (1-based). A server's Retry-After wins (capped);
 * otherwise exponential backoff with "equal jitter" (half fixed, half random) so that the jobs
 * sharing the registry do not retry in lockstep.
 */
export function retryDelayMs(
  retry: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) {
    return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  }
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
