// Query parameters a registry URL may carry that say nothing secret. Everything else is
// redacted: token realms and object-storage redirects put signatures and tokens in the query.
const HARMLESS_PARAMS = new Set(['n', 'last', 'service', 'scope', 'digest', 'account']);

/** A URL fit for logs and error messages: no userinfo, no secret-bearing query values. */
export function safeUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url.toString());
  } catch {
    return '(unparseable URL)';
  }
  parsed.username = '';
  parsed.password = '';
  for (const key of [...new Set(parsed.searchParams.keys())]) {
    if (!HARMLESS_PARAMS.has(key.toLowerCase())) {
      parsed.searchParams.set(key, 'REDACTED');
    }
  }
  return parsed.toString();
}
