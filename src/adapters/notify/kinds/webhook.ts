import { randomUUID } from 'node:crypto';
import type { NotificationKind } from './notification-kind.js';
import type { WebhookTarget } from './webhook-settings.js';
import { standardWebhookHeaders } from './webhook-signature.js';
import { testText, type Notice } from '../notice.js';
import type { ListCaps } from '../run-summary.js';

/** A webhook carries bounded lists: Standard Webhooks recommends payloads under about 20 kB. */
export const WEBHOOK_CAPS: ListCaps = { tags: 100, errors: 50 };

export const RUN_FINISHED_TYPE = 'reg_cleaner.run.finished';
export const TEST_TYPE = 'reg_cleaner.notification.test';
export const RESTORE_FINISHED_TYPE = 'reg_cleaner.restore.finished';

/**
 * A CloudEvents 1.0 JSON envelope (structured content mode). `id` is also the Standard
 * Webhooks `webhook-id`: one event, whatever the number of attempts.
 */
export function cloudEvent(notice: Notice, id: string): Record<string, unknown> {
  const common = { specversion: '1.0', id, datacontenttype: 'application/json' };
  if (notice.kind === 'test') {
    return {
      ...common,
      type: TEST_TYPE,
      source: sourceOf(notice.registry),
      time: notice.sentAt.toISOString(),
      data: { test: true, target: notice.target, message: testText(notice) },
    };
  }
  if (notice.kind === 'restored') {
    const { summary } = notice;
    return {
      ...common,
      type: RESTORE_FINISHED_TYPE,
      source: sourceOf(summary.registry),
      ...(summary.jobs.length === 0 ? {} : { subject: summary.jobs.join(',') }),
      time: summary.finishedAt,
      data: summary,
    };
  }
  const { summary } = notice;
  return {
    ...common,
    type: RUN_FINISHED_TYPE,
    source: sourceOf(summary.registry),
    subject: summary.job,
    time: summary.finishedAt,
    data: summary,
  };
}

function sourceOf(registryHost: string): string {
  return `urn:reg-cleaner:registry:${registryHost}`;
}

/** CloudEvents HTTP binding, structured content mode. */
const CLOUDEVENTS_TYPE = 'application/cloudevents+json; charset=utf-8';

export const webhookKind: NotificationKind<WebhookTarget> = {
  caps: WEBHOOK_CAPS,
  deliver(target, notice, channel) {
    // One id for every attempt: receivers use it to drop duplicates.
    const id = randomUUID();
    const body = JSON.stringify(cloudEvent(notice, id));
    const key = target.signingKey;
    return channel.post(target, body, () => ({
      'content-type': CLOUDEVENTS_TYPE,
      ...(key === undefined ? {} : standardWebhookHeaders(key, id, channel.now(), body)),
    }));
  },
};
