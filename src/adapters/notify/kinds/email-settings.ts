import Joi from 'joi';
import { parseUrl, type KindSettings, type TargetBase } from './kind-settings.js';

export interface EmailTarget extends TargetBase {
  readonly type: 'email';
  /** smtp:// or smtps://, possibly with user:password: never logged, only its host is. */
  readonly smtpUrl: string;
  readonly from: string;
  readonly to: readonly string[];
}

const EMAIL = Joi.string().email({ tlds: { allow: false }, minDomainSegments: 1 });

export const emailSettings: KindSettings<EmailTarget> = {
  type: 'email',
  keys: {
    smtp_url: { schema: Joi.string(), env: 'value' },
    from: { schema: EMAIL },
    to: {
      schema: Joi.alternatives(EMAIL, Joi.array().items(EMAIL).min(1)).messages({
        'alternatives.match': 'must be an e-mail address or a list of them',
      }),
    },
  },
  toTarget({ value, common, failed, found, secrets }) {
    for (const key of ['smtp_url', 'from', 'to']) {
      if (value[key] === undefined && !failed.has(key)) {
        found.push({ field: key, message: 'is required for type email' });
      }
    }
    const smtpUrl = typeof value.smtp_url === 'string' ? value.smtp_url.trim() : undefined;
    if (smtpUrl !== undefined) {
      const parsed = parseUrl(smtpUrl);
      if (
        parsed === undefined ||
        !['smtp:', 'smtps:'].includes(parsed.protocol) ||
        parsed.hostname === ''
      ) {
        found.push({
          field: 'smtp_url',
          message: 'must be smtp://[user:password@]host[:port] or smtps://... (STARTTLS or TLS)',
        });
      } else if (parsed.password !== '') {
        secrets.push(decodeURIComponent(parsed.password));
      }
    }
    const to = typeof value.to === 'string' ? [value.to] : Array.isArray(value.to) ? value.to : [];
    if (found.length > 0 || smtpUrl === undefined || typeof value.from !== 'string') {
      return undefined;
    }
    return { ...common, type: 'email', smtpUrl, from: value.from, to: to as string[] };
  },
  address: (target) => target.smtpUrl,
};
