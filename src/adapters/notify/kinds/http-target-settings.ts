import Joi from 'joi';
import {
  parseUrl,
  type KindInput,
  type KindKey,
  type KindSettings,
  type TargetBase,
} from './kind-settings.js';

/** Slack incoming webhook, Teams Workflows webhook, a generic signed webhook: a POST to a URL. */
export interface PostTarget extends TargetBase {
  readonly type: string;
  /** Secret-bearing (tokens in the path or query): never logged, only its host is. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The keys of every kind that POSTs to a URL. */
export const HTTP_KEYS: Readonly<Record<string, KindKey>> = {
  url: { schema: Joi.string(), env: 'value' },
  headers: { schema: Joi.object().pattern(Joi.string(), Joi.string()), env: 'entries' },
};

/** The URL and headers of an entry; a problem with either is added to `input.found`. */
export function httpFields(
  type: string,
  { value, failed, found }: KindInput,
): { readonly url?: string; readonly headers: Readonly<Record<string, string>> } {
  const url = typeof value.url === 'string' ? value.url.trim() : undefined;
  if (url === undefined) {
    if (!failed.has('url')) found.push({ field: 'url', message: `is required for type ${type}` });
  } else {
    const problem = checkHttpUrl(url);
    if (problem !== undefined) found.push({ field: 'url', message: problem });
  }
  const headers = isMapping(value.headers) ? (value.headers as Record<string, string>) : {};
  for (const [name, headerValue] of Object.entries(headers)) {
    const problem = checkHeader(name, headerValue);
    if (problem !== undefined) found.push({ field: `headers.${name}`, message: problem });
  }
  return url === undefined ? { headers } : { url, headers };
}

/** The target of a kind that has no keys besides url and headers (Slack, Teams). */
export type PlainPostTarget<Type extends string> = PostTarget & { readonly type: Type };

/** The config half of a kind that has no keys besides url and headers. */
export function plainPostSettings<Type extends string>(
  type: Type,
): KindSettings<PlainPostTarget<Type>> {
  return {
    type,
    keys: HTTP_KEYS,
    toTarget(input) {
      const { url, headers } = httpFields(type, input);
      if (input.found.length > 0 || url === undefined) return undefined;
      return { ...input.common, type, url, headers };
    },
    address: (target) => target.url,
  };
}

function checkHttpUrl(url: string): string | undefined {
  const parsed = parseUrl(url);
  if (
    parsed === undefined ||
    !['http:', 'https:'].includes(parsed.protocol) ||
    parsed.host === ''
  ) {
    return 'must be an http:// or https:// URL';
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'must not contain user:password@; send credentials in headers (e.g. Authorization)';
  }
  return undefined;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Set by the sender itself: a configured value would break the body or its signature. */
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

function checkHeader(name: string, value: string): string | undefined {
  if (!HEADER_NAME.test(name)) return 'is not a valid HTTP header name';
  if (RESERVED_HEADERS.has(name.toLowerCase())) return 'is set by reg-cleaner itself';
  // Never quote the value: it is often a token.
  if (/[\r\n\0]/.test(value)) return 'must not contain line breaks or NUL characters';
  return undefined;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
