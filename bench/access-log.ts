// The registry's own view: its access log (testkit/access-log.ts) classified into the same kinds the
// cleaner counts, to cross-check RequestStats.
import type { AccessLogEntry } from '../testkit/access-log.js';
import { countByKind, type RequestCounts, type RequestKind } from './floor.js';

export function kindOf(entry: AccessLogEntry): RequestKind | undefined {
  const path = entry.path.split('?', 1)[0] ?? '';
  if (path === '/v2/' || path === '/v2') return 'probe';
  if (path === '/v2/_catalog') return 'catalog';
  if (path.endsWith('/tags/list')) return 'tags';
  if (path.includes('/manifests/')) {
    if (entry.method === 'HEAD') return 'manifest-head';
    if (entry.method === 'GET') return 'manifest-get';
    if (entry.method === 'DELETE') return 'delete';
    if (entry.method === 'PUT') return 'manifest-put';
  }
  if (path.includes('/blobs/uploads/')) return 'blob-upload';
  if (path.includes('/blobs/') && entry.method === 'GET') return 'blob';
  if (path.includes('/blobs/') && entry.method === 'HEAD') return 'blob-head';
  if (path.includes('/referrers/') && entry.method === 'GET') return 'referrers';
  return undefined;
}

export interface ClassifiedLog {
  readonly counts: RequestCounts;
  /** Requests of no known kind (should be none). */
  readonly other: number;
  /** Manifest or blob requests for a digest (or a repository's tag) already asked for. */
  readonly duplicates: number;
}

export function classify(entries: readonly AccessLogEntry[], tokenRequests: number): ClassifiedLog {
  const kinds: { kind: RequestKind }[] = [];
  let other = 0;
  const seen = new Set<string>();
  let duplicates = 0;
  for (const entry of entries) {
    const kind = kindOf(entry);
    if (kind === undefined) {
      other += 1;
      continue;
    }
    kinds.push({ kind });
    if (kind === 'manifest-get' || kind === 'blob' || kind === 'manifest-head') {
      // Content is addressed by digest registry-wide: the same digest twice is a duplicate even
      // through two repositories. A tag is only the same tag in its own repository.
      const reference = entry.path.split('/').at(-1) ?? '';
      const key = `${entry.method} ${reference.startsWith('sha256:') ? reference : entry.path}`;
      if (seen.has(key)) duplicates += 1;
      seen.add(key);
    }
  }
  const counts = countByKind(kinds);
  counts.token = tokenRequests;
  return { counts, other, duplicates };
}
