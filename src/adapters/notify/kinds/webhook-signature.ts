import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks 1.0, symmetric scheme: `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">`, timestamp in Unix seconds. The id stays the same across retries; the
 * timestamp (and so the signature) is the attempt's own.
 */
export function standardWebhookHeaders(
  key: Buffer,
  id: string,
  at: Date,
  body: string,
): Record<string, string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}
