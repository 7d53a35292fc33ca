import { compareCodePoints } from './code-point-order.js';
import type { TagDecision } from './decision.js';
import type { SharedDigestPolicy } from './job.js';
import type { TagDigest } from './tag.js';

/** One digest to delete and the tags that go with it. */
export interface PlannedDeletion {
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
}

/** One tag to remove alone (`shared_digest: untag`): its image stays for a kept tag. */
export interface PlannedUntag {
  readonly repository: string;
  readonly tag: string;
  /** Where the tag pointed when it was resolved: a tag that moved since is left alone. */
  readonly digest: string;
  /** The kept tag the image stays for (named in reports: "image kept for `stable`"). */
  readonly keptFor: string;
}

export interface DeletionPlan {
  /**
   * The decisions again, with selected tags downgraded where deletion is unsafe: to keep, or
   * with `shared_digest: untag` to untag.
   */
  readonly decisions: readonly TagDecision[];
  /** Each digest once, only digests whose every tag in the repository is selected. */
  readonly deletions: readonly PlannedDeletion[];
  /** Tags removed alone (`untag`), sorted by repository then tag; none under `keep`. */
  readonly untags: readonly PlannedUntag[];
}

/**
 * Turns selected tags into digests that are safe to delete (behaviour.md section 3): deleting
 * a digest deletes every tag on it, so a digest goes only if every tag of the repository that
 * points to it is selected.
 *
 * - `decisions` may cover several repositories; each is planned on its own.
 * - `otherTags` are the digests of the repositories' tags that have no decision (e.g. tags that
 *   match no pattern). An entry that also has a decision is ignored: the decision wins.
 * - One unknown digest in a repository (a decision or other tag whose digest is undefined)
 *   means no digest there can be proven exclusive: every selected tag of that repository is
 *   kept as 'unverifiable'. Other repositories are unaffected.
 * - A manifest list / OCI index is deleted by its own digest (the tag's digest); its platform
 *   manifests never appear here.
 * - Decisions keep their input order; deletions are sorted by repository then digest, and the
 *   tags of a deletion by name (code-point order), so the plan is deterministic.
 */
export function planDeletions(
  decisions: readonly TagDecision[],
  otherTags: readonly TagDigest[],
  sharedDigest: SharedDigestPolicy = 'keep',
): DeletionPlan {
  const repositories = new Map<string, RepositoryTags>();
  const decided = new Set<string>();
  for (const decision of decisions) {
    tagsOf(repositories, decision.repository).push(decision);
    decided.add(key(decision.repository, decision.tag));
  }
  for (const other of otherTags) {
    // Only repositories with decisions are planned; others have nothing selected.
    const list = repositories.get(other.repository);
    if (list === undefined || decided.has(key(other.repository, other.tag))) continue;
    list.push({ ...other, action: 'keep' });
  }

  const downgraded = new Map<TagDecision, TagDecision>();
  const deletions: PlannedDeletion[] = [];
  const untags: PlannedUntag[] = [];
  for (const [repository, tags] of repositories) {
    const plan = planRepository(repository, tags, sharedDigest);
    plan.downgraded.forEach((value, original) => downgraded.set(original, value));
    deletions.push(...plan.deletions);
    untags.push(...plan.untags);
  }
  deletions.sort(
    (a, b) =>
      compareCodePoints(a.repository, b.repository) || compareCodePoints(a.digest, b.digest),
  );
  untags.sort(
    (a, b) => compareCodePoints(a.repository, b.repository) || compareCodePoints(a.tag, b.tag),
  );
  return {
    decisions: decisions.map((decision) => downgraded.get(decision) ?? decision),
    deletions,
    untags,
  };
}

/** Every tag of a repository that counts: decided ones and the others (always kept). */
type RepositoryTag = TagDecision | (TagDigest & { readonly action: 'keep' });
type RepositoryTags = RepositoryTag[];

function tagsOf(repositories: Map<string, RepositoryTags>, repository: string): RepositoryTags {
  const existing = repositories.get(repository);
  if (existing !== undefined) return existing;
  const created: RepositoryTags = [];
  repositories.set(repository, created);
  return created;
}

function key(repository: string, tag: string): string {
  return `${repository}\u0000${tag}`;
}

function isSelected(tag: RepositoryTag): tag is TagDecision {
  return tag.action === 'delete';
}

function firstByName<T extends { readonly tag: string }>(tags: readonly T[]): T | undefined {
  return [...tags].sort((a, b) => compareCodePoints(a.tag, b.tag))[0];
}

/**
 * Platform manifests of the indexes that stay, each mapped to one kept index tag (first by
 * name). Deleting such a digest through another tag (a per-architecture tag pushed alongside
 * a multi-arch one) would leave the kept index pointing at a missing image.
 */
function keptIndexChildren(keptTags: RepositoryTags): Map<string, string> {
  const children = new Map<string, string>();
  const kept = [...keptTags].sort((a, b) => compareCodePoints(a.tag, b.tag));
  for (const tag of kept) {
    for (const child of tag.children ?? []) {
      if (!children.has(child)) children.set(child, tag.tag);
    }
  }
  return children;
}

function planRepository(
  repository: string,
  tags: RepositoryTags,
  sharedDigest: SharedDigestPolicy,
): {
  downgraded: Map<TagDecision, TagDecision>;
  deletions: PlannedDeletion[];
  untags: PlannedUntag[];
} {
  const downgraded = new Map<TagDecision, TagDecision>();
  const untags: PlannedUntag[] = [];
  const selected = tags.filter(isSelected);
  if (selected.length === 0) return { downgraded, deletions: [], untags };

  // An unknown digest proves nothing either way: no deletion and no untag (untagging a tag
  // whose image nobody else holds would hide an image that the rules never let go).
  const unknown = firstByName(tags.filter((tag) => tag.digest === undefined));
  if (unknown !== undefined) {
    for (const decision of selected) {
      downgraded.set(decision, {
        ...decision,
        action: 'keep',
        reason: 'unverifiable',
        detail: `${decision.detail}; but the digest of tag ${unknown.tag} is unknown, so no digest of ${repository} can be proven to carry only selected tags`,
      });
    }
    return { downgraded, deletions: [], untags };
  }

  const byDigest = new Map<string, RepositoryTag[]>();
  for (const tag of tags) {
    if (tag.digest === undefined) continue;
    const list = byDigest.get(tag.digest) ?? [];
    list.push(tag);
    byDigest.set(tag.digest, list);
  }
  // The kept tag each untagged tag's image stays for (an untagged index passes it on to the
  // platform images it keeps).
  const keeperOf = new Map<string, string>();
  const keeper = (tag: string): string => keeperOf.get(tag) ?? tag;
  // Keeping one tag can protect more: a shared digest keeps the index on it, and a kept index
  // keeps its platform images. So downgrade until nothing changes, then plan what is left.
  const stays = (tag: RepositoryTag): boolean => !isSelected(tag) || downgraded.has(tag);
  for (let changed = true; changed;) {
    changed = false;
    const platformsOfKeptIndexes = keptIndexChildren(tags.filter(stays));
    for (const [digest, onDigest] of byDigest) {
      const selectedHere = onDigest.filter(isSelected).filter((tag) => !downgraded.has(tag));
      if (selectedHere.length === 0) continue;
      const keptIndex = platformsOfKeptIndexes.get(digest);
      const staying = onDigest.filter(stays);
      const kept =
        firstByName(staying.filter((tag) => !keeperOf.has(tag.tag))) ?? firstByName(staying);
      if (keptIndex === undefined && kept === undefined) continue;
      const but =
        kept !== undefined
          ? {
              reason: 'shared-digest' as const,
              why: `digest ${digest} is shared with kept tag ${keeper(kept.tag)}`,
              keptFor: keeper(kept.tag),
            }
          : {
              reason: 'platform-of-kept-index' as const,
              why: `digest ${digest} is a platform image of kept index tag ${keeper(keptIndex ?? '')}`,
              keptFor: keeper(keptIndex ?? ''),
            };
      for (const decision of selectedHere) {
        if (sharedDigest === 'untag') {
          keeperOf.set(decision.tag, but.keptFor);
          untags.push({ repository, tag: decision.tag, digest, keptFor: but.keptFor });
          downgraded.set(decision, {
            ...decision,
            action: 'untag',
            reason: but.reason,
            detail: `${decision.detail}; ${but.why}: the tag is removed alone (image kept for \`${but.keptFor}\`)`,
          });
        } else {
          downgraded.set(decision, {
            ...decision,
            action: 'keep',
            reason: but.reason,
            detail: `${decision.detail}; but ${but.why}`,
          });
        }
      }
      changed = true;
    }
  }
  const deletions: PlannedDeletion[] = [];
  for (const [digest, onDigest] of byDigest) {
    if (!onDigest.every((tag) => isSelected(tag) && !downgraded.has(tag))) continue;
    const names = [...new Set(onDigest.map((tag) => tag.tag))].sort(compareCodePoints);
    deletions.push({ repository, digest, tags: names });
  }
  return { downgraded, deletions, untags };
}
