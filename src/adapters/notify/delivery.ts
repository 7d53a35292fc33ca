import { type RetryPolicy, type RetryTiming, withRetries } from '../shared/http/retry-policy.js';

/**
 * Time as delivery sees it: injected so that tests never wait for a real backoff and can
 * shorten the per-attempt deadline.
 */
export interface DeliveryTiming extends RetryTiming {
  /** The deadline of one attempt, from connecting to the end of the answer. */
  readonly attemptTimeoutMs: number;
}
export const DeliveryTiming = Symbol('DeliveryTiming');

/** Issue 11: 10 s per attempt. */
export const SYSTEM_TIMING: DeliveryTiming = {
  sleep: (ms) =>
    new Promise((resolve) => {
      setTimeout(resolve, ms);
    }),
  random: Math.random,
  attemptTimeoutMs: 10_000,
};

/**
 * At most 4 retries (5 attempts), 1-2 s, 2-4 s, 4-8 s, 8-15 s apart, or what Retry-After asks
 * (at most a minute): a target that is down costs the run well under two minutes.
 */
export const NOTIFY_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 2_000,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 60_000,
  serverErrors: 'all',
};

/**
 * `--test-notifications` (issue 27): an operator is waiting at a prompt, so a test message gets
 * one attempt, no backoff, and at most 5 s: a target that is down answers in seconds, not 20.
 */
export const TEST_MESSAGE_POLICY: RetryPolicy = { ...NOTIFY_RETRY_POLICY, maxRetries: 0 };
export const TEST_ATTEMPT_TIMEOUT_MS = 5_000;

export type AttemptOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly retryable: boolean;
      /** Short, and never a URL, a header value or a password. */
      readonly problem: string;
      readonly retryAfterMs?: number;
    };

export interface DeliveryResult {
  readonly delivered: boolean;
  readonly attempts: number;
  /** Why the last attempt failed, when it was not delivered. */
  readonly problem?: string;
}

/** Runs `attempt` (numbered from 1) until it succeeds, fails for good, or the retries are spent. */
export async function deliverWithRetries(
  attempt: (number: number) => Promise<AttemptOutcome>,
  timing: DeliveryTiming,
  policy: RetryPolicy = NOTIFY_RETRY_POLICY,
): Promise<DeliveryResult> {
  const { value: outcome, retries } = await withRetries(
    async (retry) => {
      const outcome = await attempt(retry + 1);
      if (outcome.ok || !outcome.retryable) return { final: true, value: outcome };
      const after = outcome.retryAfterMs;
      return {
        final: false,
        value: outcome,
        ...(after === undefined ? {} : { retryAfterMs: after }),
      };
    },
    policy,
    timing,
  );
  const attempts = retries + 1;
  return outcome.ok
    ? { delivered: true, attempts }
    : { delivered: false, attempts, problem: outcome.problem };
}

/**
 * How long the message about an interrupted run may take: the process has promised to exit
 * within 5 s of the signal (main.ts), and retries would take minutes.
 */
export const INTERRUPTED_DELIVERY_MS = 2_000;

/** `delivery`, or a failure once `ms` have passed without its end (the delivery is abandoned). */
export async function deliveredWithin(
  delivery: Promise<DeliveryResult>,
  ms: number,
): Promise<DeliveryResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<DeliveryResult>((resolve) => {
    timer = setTimeout(() => {
      resolve({
        delivered: false,
        attempts: 1,
        problem: `not delivered within ${String(ms / 1000)} s of the shutdown`,
      });
    }, ms);
  });
  try {
    return await Promise.race([delivery, late]);
  } finally {
    clearTimeout(timer);
  }
}
