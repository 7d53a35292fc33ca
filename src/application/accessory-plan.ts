import { walkAccessories, type AccessoryManifest } from './accessory-walk.js';
import { messageOf } from './error-message.js';
import { parseAccessoryTag, type AccessoryTag } from '../domain/accessory.js';
import { compareCodePoints } from '../domain/code-point-order.js';
import type { TagDecision } from '../domain/decision.js';
import type { PlannedDeletion } from '../domain/deletion-plan.js';
import type { Job } from '../domain/job.js';
import type { TagDigest } from '../domain/tag.js';
import type { Registry, RepositoryAccess } from './ports/registry.port.js';

/** Orphans named in one warning at most; the rest are counted. */
const ORPHANS_NAMED = 20;

export interface AccessoryPlanInput {
  readonly job: Job;
  readonly repository: string;
  readonly dryRun: boolean;
  /** The plan's decisions (downgrades applied): what stays and what goes. */
  readonly decisions: readonly TagDecision[];
  /** Tags that match no pattern (digests read when the repository has candidates). */
  readonly others: readonly TagDigest[];
  readonly deletions: readonly PlannedDeletion[];
  /** Every accessory tag of the repository; digests read when something may be deleted. */
  readonly accessoryTags: readonly TagDigest[];
  readonly access: RepositoryAccess;
}

export interface AccessoryPlan {
  /** Per deleted image digest, its accessories (deleted after it). */
  readonly byRoot: ReadonlyMap<string, readonly AccessoryManifest[]>;
  /** Orphaned accessories to delete (delete_orphaned_referrers), else none. */
  readonly orphanWalk: readonly AccessoryManifest[];
  readonly warnings: readonly string[];
}

/**
 * Accessories of one repository (behaviour.md 3a): what belongs to each image the plan
 * deletes, and the orphans (accessory tags whose subject no longer exists). A subject that no
 * examined tag carries is asked for by digest (one HEAD), so a run with nothing to delete
 * still finds orphans. Only reads.
 */
export async function planAccessories(
  registry: Registry,
  input: AccessoryPlanInput,
): Promise<AccessoryPlan> {
  const { job, repository, access } = input;
  const accessoryTags: AccessoryTag[] = [];
  for (const tag of input.accessoryTags) {
    const name = parseAccessoryTag(tag.tag);
    if (name !== undefined)
      accessoryTags.push({ tag: tag.tag, subject: name.subject, digest: tag.digest });
  }
  const deleted = new Set(input.deletions.map((deletion) => deletion.digest));
  const known = new Set<string>();
  const staying = new Set<string>();
  for (const tag of [...input.decisions, ...input.others]) {
    const digests = [tag.digest, ...(tag.children ?? [])].filter(
      (digest): digest is string => digest !== undefined,
    );
    for (const digest of digests) known.add(digest);
    if (tag.digest !== undefined && !deleted.has(tag.digest)) {
      for (const digest of digests) staying.add(digest);
    }
  }
  for (const tag of accessoryTags) if (tag.digest !== undefined) known.add(tag.digest);

  const warnings: string[] = [];
  const gone = await goneSubjects(registry, repository, accessoryTags, known, access, warnings);
  const orphanTags = accessoryTags.filter((tag) => gone.has(tag.subject)).map((tag) => tag.tag);
  const deleteOrphans = job.deleteOrphanedReferrers === true;
  if (orphanTags.length > 0) warnings.push(orphanWarning(orphanTags, deleteOrphans, input.dryRun));

  const orphanRoots = deleteOrphans ? [...gone].sort(compareCodePoints) : [];
  // Without accessory tags the walk still asks the referrers API (where the registry has one,
  // referrers need no tag); on a registry without it, that is one request per process.
  const roots = [...deleted, ...orphanRoots];
  if (roots.length === 0) return { byRoot: new Map(), orphanWalk: [], warnings };
  const walk = await walkAccessories(registry, repository, roots, accessoryTags, access, staying);
  warnings.push(...walk.problems);
  const orphanWalk = orphanRoots.flatMap((root) => walk.byRoot.get(root) ?? []);
  return { byRoot: walk.byRoot, orphanWalk, warnings };
}

/** Subjects of accessory tags that no longer exist in the repository (HEAD by digest: 404). */
async function goneSubjects(
  registry: Registry,
  repository: string,
  tags: readonly AccessoryTag[],
  known: ReadonlySet<string>,
  access: RepositoryAccess,
  warnings: string[],
): Promise<Set<string>> {
  const unknown = [...new Set(tags.map((tag) => tag.subject))].filter((s) => !known.has(s));
  const gone = new Set<string>();
  await Promise.all(
    unknown.map(async (subject) => {
      try {
        if ((await registry.currentDigest(repository, subject, access)) === undefined) {
          gone.add(subject);
        }
      } catch (error) {
        // Not knowing is not "gone": its accessories stay.
        warnings.push(`whether ${subject} still exists could not be checked: ${messageOf(error)}`);
      }
    }),
  );
  return gone;
}

function orphanWarning(tags: readonly string[], deleting: boolean, dryRun: boolean): string {
  const sorted = [...tags].sort(compareCodePoints);
  const named = sorted.slice(0, ORPHANS_NAMED).join(', ');
  const more = sorted.length > ORPHANS_NAMED ? ` and ${sorted.length - ORPHANS_NAMED} more` : '';
  const what = `${sorted.length} orphaned accessory tag(s), whose image is gone: ${named}${more}`;
  if (!deleting) return `${what}; delete_orphaned_referrers: true deletes them`;
  return `${what}; ${dryRun ? 'would be deleted' : 'deleted'} (delete_orphaned_referrers)`;
}
