import { inject, injectable } from 'inversify';
import { Clock } from '../../application/ports/clock.port.js';
import {
  deliverWithRetries,
  DeliveryTiming,
  NOTIFY_RETRY_POLICY,
  TEST_ATTEMPT_TIMEOUT_MS,
  TEST_MESSAGE_POLICY,
  type DeliveryResult,
} from './delivery.js';
import { HttpPoster } from './http-poster.js';
import type { DeliveryChannel } from './kinds/notification-kind.js';
import type { Notice } from './notice.js';
import { notificationKind } from './notification-kinds.js';
import type {
  NotificationTarget,
  NotificationType,
  TargetOfType,
} from './notification-settings.js';

export { capsFor } from './notification-kinds.js';

/** Delivers one notice to one target; a target that is down is a result, never a throw. */
export interface MessageSender {
  send(target: NotificationTarget, notice: Notice): Promise<DeliveryResult>;
}
export const MessageSender = Symbol('MessageSender');

/** Renders a notice in the target's format (its kind's module) and delivers it, with retries. */
@injectable()
export class NotificationSender implements MessageSender {
  constructor(
    @inject(Clock) private readonly clock: Clock,
    @inject(DeliveryTiming) private readonly timing: DeliveryTiming,
    @inject(HttpPoster) private readonly poster: HttpPoster,
  ) {}

  send(target: NotificationTarget, notice: Notice): Promise<DeliveryResult> {
    return deliver(target.type, target, notice, this.channel(notice));
  }

  /** Test messages are tried once and briefly, real ones with retries. */
  private channel(notice: Notice): DeliveryChannel {
    const test = notice.kind === 'test';
    const timeoutMs = test
      ? Math.min(this.timing.attemptTimeoutMs, TEST_ATTEMPT_TIMEOUT_MS)
      : this.timing.attemptTimeoutMs;
    const policy = test ? TEST_MESSAGE_POLICY : NOTIFY_RETRY_POLICY;
    const withRetries: DeliveryChannel['withRetries'] = (attempt) =>
      deliverWithRetries(() => attempt(timeoutMs), this.timing, policy);
    return {
      withRetries,
      post: (target, body, ownHeaders) =>
        withRetries((ms) =>
          this.poster.post(target.url, body, { ...target.headers, ...ownHeaders() }, ms),
        ),
      now: () => this.clock.now(),
    };
  }
}

function deliver<Type extends NotificationType>(
  type: Type,
  target: TargetOfType<Type>,
  notice: Notice,
  channel: DeliveryChannel,
): Promise<DeliveryResult> {
  return notificationKind(type).deliver(target, notice, channel);
}
