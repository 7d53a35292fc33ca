/**
 * Masks credentials in text bound for a log, a terminal or a file. Applied to every log
 * message and field; cheap enough to apply anywhere else text might carry a secret.
 */

const MASK = '***';

/** Field names whose value is a secret whatever it looks like. */
const SECRET_KEY = /pass(word|wd)?|secret|token|authorization|credential|api[-_]?key|cookie/i;

const RULES: readonly (readonly [RegExp, (match: string, ...groups: string[]) => string])[] = [
  // Header form (`Authorization: Basic xyz`, `"authorization":"Bearer xyz"`, `authorization=...`).
  [
    /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)[^"'\r\n,;}]+/gi,
    (_match, prefix = '') => `${prefix}${MASK}`,
  ],
  // Bearer tokens; `Bearer realm=...` is a challenge, not a secret, and words like "token"
  // are kept so that messages about tokens stay readable.
  [
    /\b(Bearer\s+)(?!(?:realm|token|tokens|auth|authentication|challenge|scheme)\b)[A-Za-z0-9\-._~+/]+=*/gi,
    (_match, prefix = '') => `${prefix}${MASK}`,
  ],
  // Basic credentials are base64("user:password"): mask only what decodes to that shape.
  [
    /\b(Basic\s+)([A-Za-z0-9+/]{4,}={0,2})/gi,
    (match, prefix = '', value = '') => (decodesToUserPassword(value) ? `${prefix}${MASK}` : match),
  ],
  // key=value and JSON "key": "value" with a secret-looking key (query strings, dumps).
  [
    /\b([\w-]*(?:password|passwd|secret|token|api[-_]?key)[\w-]*)(["']?\s*[=:]\s*["']?)([^\s"'&,;}]+)/gi,
    (match, key = '', separator = '') =>
      separator.includes('=') || separator.includes('"') || separator.includes("'")
        ? `${key}${separator}${MASK}`
        : match,
  ],
  // URL userinfo: https://user:pass@host -> https://***@host
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, (_match, scheme = '') => `${scheme}${MASK}@`],
];

/**
 * Text in which no rule can match: each rule needs one of these words, or the `@` of URL
 * userinfo. Most log text (repository and tag names, digests, statuses) has none, and one test
 * costs a fifth of the five replaces (a dry run logs a line per tag, issue 25).
 */
const MAY_HOLD_SECRET = /authorization|bearer|basic|pass|secret|token|api|@/i;

export function redact(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  let result = text;
  for (const [pattern, replace] of RULES) {
    result = result.replace(pattern, replace);
  }
  return result;
}

/** A URL with its userinfo masked (a proxy URL, for example), or the text redacted if it is not a URL. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return redact(url);
    parsed.username = '';
    parsed.password = '';
    return redact(parsed.toString().replace('://', `://${MASK}@`));
  } catch {
    return redact(url);
  }
}

/** Redacts one structured log field; a secret-named key loses its whole value. */
export function redactField(
  key: string,
  value: string | number | boolean | undefined,
): string | number | boolean | undefined {
  if (value === undefined) return undefined;
  if (
    SECRET_KEY.test(key) &&
    !/^(has|is)[A-Z_]|count|expires|ttl|kind|scope|status|type/i.test(key)
  )
    return MASK;
  return typeof value === 'string' ? redact(value) : value;
}

function decodesToUserPassword(value: string): boolean {
  try {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return /^[\x20-\x7e]*:[\x20-\x7e]*$/.test(decoded) && decoded.length >= 2;
  } catch {
    return false;
  }
}
