import { messageOf } from './error-message.js';
import {
  accessoryTagsBySubject,
  parseAccessoryTag,
  type AccessoryTag,
} from '../domain/accessory.js';
import { compareCodePoints } from '../domain/code-point-order.js';
import type { Registry, RepositoryAccess } from './ports/registry.port.js';

/** A manifest that belongs to another one (behaviour.md 3a), with the tags that point at it. */
export interface AccessoryManifest {
  readonly digest: string;
  /** Accessory tags on it (cosign's `.sig`, the fallback tag); none for a referrer manifest. */
  readonly tags: readonly string[];
  /** The manifest it belongs to directly (an image, or another accessory). */
  readonly subject: string;
}

export interface AccessoryWalk {
  /** Per root digest, everything that belongs to it, transitively, in the order found. */
  readonly byRoot: ReadonlyMap<string, readonly AccessoryManifest[]>;
  /** What could not be looked at: those accessories stay (and show up as orphans later). */
  readonly problems: readonly string[];
}

/**
 * Finds what belongs to each root digest in one repository: its accessory tags (by name), the
 * manifests its referrers fallback index lists, and what the referrers API lists where the
 * registry has one; then the same for each of those (a signature of an SBOM belongs to the
 * image too). A digest that a staying tag carries (`staying`) is never taken as an accessory,
 * and neither is anything below it. Only reads: the caller decides what to delete.
 */
export async function walkAccessories(
  registry: Registry,
  repository: string,
  roots: readonly string[],
  accessoryTags: readonly AccessoryTag[],
  access: RepositoryAccess,
  staying: ReadonlySet<string>,
): Promise<AccessoryWalk> {
  const bySubject = accessoryTagsBySubject(accessoryTags);
  const seen = new Set<string>(roots);
  const problems: string[] = [];
  const byRoot = new Map<string, AccessoryManifest[]>();
  for (const root of roots) {
    const found: AccessoryManifest[] = [];
    const queue = [root];
    for (let subject = queue.shift(); subject !== undefined; subject = queue.shift()) {
      const tagged = new Map<string, string[]>();
      const untagged: string[] = [];
      for (const tag of bySubject.get(subject) ?? []) {
        if (tag.digest === undefined) {
          problems.push(`accessory tag ${tag.tag}: its digest could not be read, so it stays`);
          continue;
        }
        tagged.set(tag.digest, [...(tagged.get(tag.digest) ?? []), tag.tag]);
        if (parseAccessoryTag(tag.tag)?.kind === 'fallback') {
          // The referrers fallback tag: an index of the subject's referrer manifests.
          untagged.push(...(await listed(registry, repository, tag, access, problems)));
        }
      }
      untagged.push(...(await apiReferrers(registry, repository, subject, access, problems)));
      const add = (digest: string, tags: readonly string[]): void => {
        if (seen.has(digest) || staying.has(digest)) return;
        seen.add(digest);
        found.push({ digest, tags: [...tags].sort(compareCodePoints), subject });
        queue.push(digest);
      };
      for (const [digest, tags] of tagged) add(digest, tags);
      for (const digest of untagged) add(digest, []);
    }
    byRoot.set(root, found);
  }
  return { byRoot, problems };
}

async function listed(
  registry: Registry,
  repository: string,
  fallback: AccessoryTag,
  access: RepositoryAccess,
  problems: string[],
): Promise<readonly string[]> {
  if (fallback.digest === undefined) return [];
  try {
    const index = await registry.manifestCopy(repository, fallback.digest, access);
    return index.children.map((child) => child.digest);
  } catch (error) {
    problems.push(`referrers fallback tag ${fallback.tag} could not be read: ${messageOf(error)}`);
    return [];
  }
}

async function apiReferrers(
  registry: Registry,
  repository: string,
  subject: string,
  access: RepositoryAccess,
  problems: string[],
): Promise<readonly string[]> {
  try {
    return (await registry.referrers(repository, subject, access)) ?? [];
  } catch (error) {
    problems.push(`the referrers of ${subject} could not be listed: ${messageOf(error)}`);
    return [];
  }
}
