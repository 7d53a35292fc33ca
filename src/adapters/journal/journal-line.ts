import { JournalError } from '../../application/ports/deletion-journal.port.js';
import type {
  JournalEntry,
  JournalRole,
  ManifestCopy,
  TagPlaceholder,
} from '../../domain/deletion-journal.js';
import { isDigest, matchesDigest } from '../shared/digest.js';

/**
 * One line of `cache/journal/<job>/<stamp>.jsonl`, the issue 16 fields: `manifest` is the exact
 * bytes in base64, `children` the digests an index lists, and `childManifests` their bytes
 * (restoring an index PUTs them first). No credential is ever part of it.
 */
interface JournalLine {
  readonly format: 1;
  readonly job: string;
  readonly runStartedAt: string;
  readonly repository: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly manifest: string;
  readonly tags: readonly string[];
  readonly children: readonly string[];
  readonly childManifests: readonly { digest: string; mediaType: string; manifest: string }[];
  /** Absent: an image (journals from before issue 21). */
  readonly role?: JournalRole;
  /** `untag`: the placeholder digest per tag, written before the placeholder's PUT. */
  readonly placeholders?: readonly { tag: string; digest: string }[];
}

const ROLES: readonly JournalRole[] = ['image', 'accessory', 'untag'];

export function toJournalLine(entry: JournalEntry): string {
  const line: JournalLine = {
    format: 1,
    job: entry.job,
    runStartedAt: entry.runStartedAt.toISOString(),
    repository: entry.repository,
    digest: entry.manifest.digest,
    mediaType: entry.manifest.mediaType,
    manifest: Buffer.from(entry.manifest.bytes).toString('base64'),
    tags: entry.tags,
    children: entry.manifest.children.map((child) => child.digest),
    childManifests: entry.manifest.children.map((child) => ({
      digest: child.digest,
      mediaType: child.mediaType,
      manifest: Buffer.from(child.bytes).toString('base64'),
    })),
    ...(entry.role === undefined || entry.role === 'image' ? {} : { role: entry.role }),
    ...(entry.placeholders === undefined || entry.placeholders.length === 0
      ? {}
      : { placeholders: entry.placeholders.map(({ tag, digest }) => ({ tag, digest })) }),
  };
  return `${JSON.stringify(line)}\n`;
}

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(object: JsonObject, key: string): string {
  const value = object[key];
  if (typeof value !== 'string' || value === '') throw new Error(`"${key}" is not a string`);
  return value;
}

function texts(object: JsonObject, key: string): string[] {
  const value = object[key];
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw new Error(`"${key}" is not a list of strings`);
  }
  return value;
}

/** Bytes that hash to their digest: a journal edited by hand or damaged is refused, not PUT. */
function copyOf(object: JsonObject): ManifestCopy {
  const digest = text(object, 'digest');
  if (!isDigest(digest)) throw new Error(`"${digest}" is not a digest`);
  const bytes = Buffer.from(text(object, 'manifest'), 'base64');
  if (!matchesDigest(bytes, digest)) {
    throw new Error(`the manifest bytes of ${digest} do not hash to that digest`);
  }
  return { digest, mediaType: text(object, 'mediaType'), bytes };
}

function placeholdersOf(value: unknown): TagPlaceholder[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isObject)) {
    throw new Error('"placeholders" is not a list');
  }
  return value.map((item) => {
    const digest = text(item, 'digest');
    if (!isDigest(digest)) throw new Error(`placeholder "${digest}" is not a digest`);
    return { tag: text(item, 'tag'), digest };
  });
}

/** Parses one line; throws JournalError naming the file and line when it is no entry. */
export function parseJournalLine(line: string, file: string, number: number): JournalEntry {
  try {
    const object: unknown = JSON.parse(line);
    if (!isObject(object) || object['format'] !== 1) throw new Error('not a journal entry');
    const runStartedAt = new Date(text(object, 'runStartedAt'));
    if (Number.isNaN(runStartedAt.getTime())) throw new Error('"runStartedAt" is not a date');
    const childObjects = object['childManifests'];
    if (!Array.isArray(childObjects) || !childObjects.every(isObject)) {
      throw new Error('"childManifests" is not a list');
    }
    const children = childObjects.map(copyOf);
    const listed = texts(object, 'children');
    if (listed.join(' ') !== children.map((child) => child.digest).join(' ')) {
      throw new Error('"children" and "childManifests" disagree');
    }
    const role = object['role'];
    if (role !== undefined && !ROLES.some((known) => known === role)) {
      throw new Error(`"role" is not one of ${ROLES.join(', ')}`);
    }
    const placeholders = placeholdersOf(object['placeholders']);
    return {
      repository: text(object, 'repository'),
      manifest: { ...copyOf(object), children },
      tags: texts(object, 'tags'),
      job: text(object, 'job'),
      runStartedAt,
      ...(role === 'accessory' || role === 'untag' ? { role } : {}),
      ...(placeholders.length === 0 ? {} : { placeholders }),
    };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new JournalError(`${file}, line ${String(number)}: not a valid journal entry (${why})`);
  }
}
