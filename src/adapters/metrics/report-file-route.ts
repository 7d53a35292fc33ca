import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** What the watch page serves from the reports folder, by extension; anything else is 404. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
  // Shown as text by the browser rather than downloaded.
  md: 'text/plain; charset=utf-8',
};

export interface ReportFile {
  /** The file itself, symbolic links resolved: inside the reports folder. */
  readonly path: string;
  readonly size: number;
  readonly contentType: string;
  readonly html: boolean;
}

/**
 * The file `/reports/<encodedPath>` names, or undefined (404) unless it is a report file
 * inside `folder`: each part is decoded on its own, so an encoded `/` or `..` (`%2F`, `%2e%2e`)
 * is a part that is refused, not a separator; hidden files (the writers' temp files), empty
 * parts, `.`, `..`, back-slashes and NUL are refused; and the real path, symbolic links
 * resolved, must still be inside the folder's real path.
 */
export async function reportFileAt(
  folder: string,
  encodedPath: string,
): Promise<ReportFile | undefined> {
  const parts: string[] = [];
  for (const encoded of encodedPath.split('/')) {
    const part = decoded(encoded);
    if (part === undefined || !/^[^./\\\0][^/\\\0]*$/.test(part)) return undefined;
    parts.push(part);
  }
  const extension = /\.([a-z]+)$/.exec(parts.at(-1) ?? '')?.[1] ?? '';
  const contentType = CONTENT_TYPES[extension];
  if (contentType === undefined) return undefined;
  try {
    const root = await realpath(folder);
    const path = await realpath(join(root, ...parts));
    if (!path.startsWith(root + sep)) return undefined;
    const stats = await stat(path);
    if (!stats.isFile()) return undefined;
    return { path, size: stats.size, contentType, html: extension === 'html' };
  } catch {
    // Missing, unreadable, a loop of links: all the same to the client.
    return undefined;
  }
}

function decoded(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
