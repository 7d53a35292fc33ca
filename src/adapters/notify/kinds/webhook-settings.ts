import Joi from 'joi';
import { HTTP_KEYS, httpFields, type PostTarget } from './http-target-settings.js';
import type { KindSettings } from './kind-settings.js';

/** A generic webhook: a CloudEvent, signed the Standard Webhooks way when a secret is set. */
export interface WebhookTarget extends PostTarget {
  readonly type: 'webhook';
  /** Standard Webhooks signing key, already decoded from `whsec_<base64>`. */
  readonly signingKey?: Buffer;
}

export const webhookSettings: KindSettings<WebhookTarget> = {
  type: 'webhook',
  keys: { ...HTTP_KEYS, secret: { schema: Joi.string(), env: 'value' } },
  toTarget(input) {
    const { url, headers } = httpFields('webhook', input);
    let signingKey: Buffer | undefined;
    if (typeof input.value.secret === 'string') {
      signingKey = decodeSigningSecret(input.value.secret);
      if (signingKey === undefined) {
        input.found.push({
          field: 'secret',
          message:
            'must be a Standard Webhooks secret: "whsec_" and the base64 of 24 to 64 random bytes (e.g. "whsec_$(openssl rand -base64 32)")',
        });
      }
    }
    if (input.found.length > 0 || url === undefined) return undefined;
    return {
      ...input.common,
      type: 'webhook',
      url,
      headers,
      ...(signingKey === undefined ? {} : { signingKey }),
    };
  },
  address: (target) => target.url,
};

/** Standard Webhooks serialises symmetric keys as `whsec_` + base64 (24..64 bytes). */
function decodeSigningSecret(secret: string): Buffer | undefined {
  const encoded = secret.trim().replace(/^whsec_/, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length >= 24 && key.length <= 64 ? key : undefined;
}
