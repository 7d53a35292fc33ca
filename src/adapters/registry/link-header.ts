import { RegistryError } from '../../application/ports/registry.port.js';

interface LinkValue {
  readonly target: string;
  readonly rels: readonly string[];
}

/** `<a>; rel="next", <b>; rel=prev` -> targets and their rel values (RFC 8288). */
export function parseLinkHeader(header: string): LinkValue[] {
  const links: LinkValue[] = [];
  let pos = 0;
  while (pos < header.length) {
    const open = header.indexOf('<', pos);
    if (open < 0) {
      break;
    }
    const close = header.indexOf('>', open + 1);
    if (close < 0) {
      break;
    }
    const target = header.slice(open + 1, close).trim();
    // Parameters run until a comma outside quotes (or the end).
    let end = close + 1;
    let quoted = false;
    while (end < header.length && (quoted || header.charAt(end) !== ',')) {
      if (header.charAt(end) === '"') {
        quoted = !quoted;
      }
      end += 1;
    }
    const rels: string[] = [];
    for (const param of header.slice(close + 1, end).split(';')) {
      const eq = param.indexOf('=');
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'rel') {
        continue;
      }
      const value = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/s, '$1');
      rels.push(
        ...value
          .toLowerCase()
          .split(/\s+/)
          .filter((rel) => rel !== ''),
      );
    }
    links.push({ target, rels });
    pos = end + 1;
  }
  return links;
}

/**
 * The absolute URL of the `rel="next"` page, or undefined on the last page. distribution sends a
 * relative link (`</v2/_catalog?last=x&n=1000>`): it is resolved against the URL of the page
 * that carried it. A next link to another origin is refused: following it would send the
 * registry's credentials elsewhere.
 */
export function nextPageUrl(header: string | undefined, pageUrl: string): string | undefined {
  if (header === undefined || header.trim() === '') {
    return undefined;
  }
  const next = parseLinkHeader(header).find((link) => link.rels.includes('next'));
  if (next === undefined) {
    return undefined;
  }
  let resolved: URL;
  try {
    resolved = new URL(next.target, pageUrl);
  } catch {
    throw new RegistryError(
      'invalid-response',
      'the registry sent a next-page Link header that is not a URL',
    );
  }
  const current = new URL(pageUrl);
  if (resolved.origin !== current.origin) {
    throw new RegistryError(
      'invalid-response',
      `the registry's next-page link points to another host (${resolved.host}, not ${current.host}); refusing to follow it`,
    );
  }
  return resolved.toString();
}
