export interface RetryPolicy {
  /** Attempts after the first one. */
  readonly maxRetries: number;
  /** Backoff before retry n (1-based) is about baseDelayMs * 2^(n-1), jittered. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Upper bound for a server's `Retry-After`, so that one answer cannot park a job for hours. */
  readonly maxRetryAfterMs: number;
  /**
   * Which 5xx answers are worth another try: `gateway` (502, 503, 504) for registries, whose
   * other 5xx are their own bugs (registry-v2.md "Known traps"); `all` for webhook receivers
   * (Standard Webhooks asks senders to retry every 5xx).
   */
  readonly serverErrors: 'gateway' | 'all';
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 60_000,
  serverErrors: 'gateway',
};

/** The one status rule: 408 and 429 always, the policy's 5xx, never any other 4xx (or 3xx). */
export function isRetryableStatus(status: number, policy: RetryPolicy): boolean {
  if (status === 408 || status === 429) return true;
  if (status < 500 || status > 599) return false;
  return policy.serverErrors === 'all' || status === 502 || status === 503 || status === 504;
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

/** What a retry loop needs of time: injected so that tests never wait for a real backoff. */
export interface RetryTiming {
  sleep(ms: number): Promise<void>;
  /** In [0, 1): the jitter of the backoff. */
  random(): number;
}

/** One attempt's verdict: final (a success, or a failure no retry fixes) or worth another try. */
export type AttemptVerdict<T> =
  | { readonly final: true; readonly value: T }
  | { readonly final: false; readonly value: T; readonly retryAfterMs?: number };

/**
 * The one retry loop (registry requests and notification deliveries): runs `attempt` until its
 * verdict is final or the policy's retries are spent, waiting `retryDelayMs` between attempts.
 * Returns the last attempt's value and how many retries it took. Once `stop` is aborted
 * (SIGINT/SIGTERM) the value at hand is the last, and a pause under way ends at once: the
 * attempt that follows it is the caller's to refuse.
 */
export async function withRetries<T>(
  attempt: (retry: number) => Promise<AttemptVerdict<T>>,
  policy: RetryPolicy,
  timing: RetryTiming,
  beforeRetry: () => void = () => undefined,
  stop?: AbortSignal,
): Promise<{ readonly value: T; readonly retries: number }> {
  for (let retry = 0; ; retry += 1) {
    const verdict = await attempt(retry);
    if (verdict.final || retry >= policy.maxRetries || stop?.aborted === true)
      return { value: verdict.value, retries: retry };
    beforeRetry();
    const delay = retryDelayMs(retry + 1, policy, () => timing.random(), verdict.retryAfterMs);
    await pauseUnlessStopped(timing.sleep(delay), stop);
  }
}

/** `pause`, cut short when `stop` is aborted. */
async function pauseUnlessStopped(
  pause: Promise<void>,
  stop: AbortSignal | undefined,
): Promise<void> {
  if (stop === undefined) {
    await pause;
    return;
  }
  let wake = (): void => undefined;
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
    stop.addEventListener('abort', wake, { once: true });
  });
  try {
    await Promise.race([pause, stopped]);
  } finally {
    stop.removeEventListener('abort', wake);
  }
}
