import type { AttemptOutcome, DeliveryResult } from '../delivery.js';
import type { Notice } from '../notice.js';
import type { ListCaps } from '../run-summary.js';
import type { PostTarget } from './http-target-settings.js';

/**
 * How a kind's module reaches its target. The sender provides it: one retry policy and one
 * deadline per attempt for every kind, test messages tried once and briefly.
 */
export interface DeliveryChannel {
  /** POSTs `body` to the target's URL with its configured headers and `ownHeaders()`. */
  post(
    target: PostTarget,
    body: string,
    ownHeaders: () => Readonly<Record<string, string>>,
  ): Promise<DeliveryResult>;
  /** Runs attempts of a transport of the kind's own until one succeeds or retries run out. */
  withRetries(attempt: (timeoutMs: number) => Promise<AttemptOutcome>): Promise<DeliveryResult>;
  now(): Date;
}

/** The delivery half of a notification kind (the config half is its `*-settings.ts`). */
export interface NotificationKind<Target> {
  /** How long the lists of a run summary may be in this format. */
  readonly caps: ListCaps;
  /** Renders the notice in the kind's format and delivers it; a failure is a result. */
  deliver(target: Target, notice: Notice, channel: DeliveryChannel): Promise<DeliveryResult>;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
