import { randomUUID } from 'node:crypto';
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
import { EMAIL_CAPS, emailContent } from './email-format.js';
import { HttpPoster } from './http-poster.js';
import type { Notice } from './notice.js';
import type { HttpTarget, NotificationTarget, NotificationType } from './notification-settings.js';
import type { ListCaps } from './run-summary.js';
import { SLACK_CAPS, slackMessage } from './slack-format.js';
import { sendMail } from './smtp-mailer.js';
import { TEAMS_CAPS, teamsMessage } from './teams-format.js';
import { cloudEvent, WEBHOOK_CAPS } from './webhook-format.js';
import { standardWebhookHeaders } from './webhook-signature.js';

const JSON_TYPE = 'application/json; charset=utf-8';
/** CloudEvents HTTP binding, structured content mode. */
const CLOUDEVENTS_TYPE = 'application/cloudevents+json; charset=utf-8';

/** How hard one notice tries: test messages once and briefly, real ones with retries. */
interface Attempts {
  readonly timeoutMs: number;
  readonly policy: typeof NOTIFY_RETRY_POLICY;
}

/** How long the lists of a run summary may be in each format. */
export function capsFor(type: NotificationType): ListCaps {
  switch (type) {
    case 'slack':
      return SLACK_CAPS;
    case 'teams':
      return TEAMS_CAPS;
    case 'webhook':
      return WEBHOOK_CAPS;
    case 'email':
      return EMAIL_CAPS;
  }
}

/** Delivers one notice to one target; a target that is down is a result, never a throw. */
export interface MessageSender {
  send(target: NotificationTarget, notice: Notice): Promise<DeliveryResult>;
}
export const MessageSender = Symbol('MessageSender');

/** Renders a notice in the target's format and delivers it, with retries. */
@injectable()
export class NotificationSender implements MessageSender {
  private readonly poster: HttpPoster;

  constructor(
    @inject(Clock) private readonly clock: Clock,
    @inject(DeliveryTiming) private readonly timing: DeliveryTiming,
  ) {
    this.poster = new HttpPoster(() => this.clock.now());
  }

  send(target: NotificationTarget, notice: Notice): Promise<DeliveryResult> {
    const test = notice.kind === 'test';
    const attempts: Attempts = {
      timeoutMs: test
        ? Math.min(this.timing.attemptTimeoutMs, TEST_ATTEMPT_TIMEOUT_MS)
        : this.timing.attemptTimeoutMs,
      policy: test ? TEST_MESSAGE_POLICY : NOTIFY_RETRY_POLICY,
    };
    switch (target.type) {
      case 'email': {
        const content = emailContent(notice);
        return deliverWithRetries(
          () => sendMail(target, content, attempts.timeoutMs),
          this.timing,
          attempts.policy,
        );
      }
      case 'slack':
        return this.post(target, attempts, JSON.stringify(slackMessage(notice)), () => ({
          'content-type': JSON_TYPE,
        }));
      case 'teams':
        return this.post(target, attempts, JSON.stringify(teamsMessage(notice)), () => ({
          'content-type': JSON_TYPE,
        }));
      case 'webhook': {
        // One id for every attempt: receivers use it to drop duplicates.
        const id = randomUUID();
        const body = JSON.stringify(cloudEvent(notice, id));
        const key = target.signingKey;
        return this.post(target, attempts, body, () => ({
          'content-type': CLOUDEVENTS_TYPE,
          ...(key === undefined ? {} : standardWebhookHeaders(key, id, this.clock.now(), body)),
        }));
      }
    }
  }

  private post(
    target: HttpTarget,
    attempts: Attempts,
    body: string,
    ownHeaders: () => Record<string, string>,
  ): Promise<DeliveryResult> {
    return deliverWithRetries(
      () =>
        this.poster.post(
          target.url,
          body,
          { ...target.headers, ...ownHeaders() },
          attempts.timeoutMs,
        ),
      this.timing,
      attempts.policy,
    );
  }
}
