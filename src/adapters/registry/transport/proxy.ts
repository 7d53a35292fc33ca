/**
 * Whether NO_PROXY excludes this URL from the proxy, with curl's rules: comma or space separated
 * entries; `*` = everything; `example.com` and `.example.com` match the host and its subdomains;
 * `host:port` matches that port only; IP literals match exactly.
 */
export function isProxyBypassed(target: URL, noProxy: string | undefined): boolean {
  if (noProxy === undefined) {
    return false;
  }
  const host = target.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const port = target.port !== '' ? target.port : target.protocol === 'https:' ? '443' : '80';
  for (const rawEntry of noProxy.split(/[\s,]+/)) {
    let entry = rawEntry.trim().toLowerCase();
    if (entry === '') {
      continue;
    }
    if (entry === '*') {
      return true;
    }
    let entryPort: string | undefined;
    const portMatch = /^(.*[^:]):(\d+)$/.exec(entry);
    if (portMatch !== null && !entry.startsWith('[') && (entry.match(/:/g) ?? []).length === 1) {
      entry = portMatch[1] ?? entry;
      entryPort = portMatch[2];
    }
    const bracketed = /^\[(.*)\](?::(\d+))?$/.exec(entry);
    if (bracketed !== null) {
      entry = bracketed[1] ?? entry;
      entryPort = bracketed[2] ?? entryPort;
    }
    if (entryPort !== undefined && entryPort !== port) {
      continue;
    }
    const domain = entry.replace(/^\*?\./, '');
    if (host === domain || host.endsWith(`.${domain}`)) {
      return true;
    }
  }
  return false;
}

/** The NO_PROXY value of an environment (upper case wins, as in curl). */
export function noProxyFrom(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env['NO_PROXY'] ?? env['no_proxy'];
}

/** `proxy:3128` -> `http://proxy:3128`; a URL with a scheme stays as it is. */
export function normaliseProxyUrl(proxy: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

/**
 * Whether a 401 is the proxy refusing its own credentials. tinyproxy before the fix of
 * tinyproxy/tinyproxy#532 (Debian's 1.11) answers wrong or missing proxy credentials with 401 and
 * `WWW-Authenticate: Basic realm="Tinyproxy"` instead of 407: read as the registry's 401, it
 * would blame the registry's credentials, and send them to the proxy in a Basic retry. Only the
 * answer tinyproxy wrote itself: its Server header, and no registry API header.
 */
export function isProxyCredentialsRefusal(
  status: number,
  headers: Readonly<Record<string, string>>,
): boolean {
  return (
    status === 401 &&
    /^tinyproxy\//i.test(headers['server'] ?? '') &&
    headers['docker-distribution-api-version'] === undefined
  );
}
