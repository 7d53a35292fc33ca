import type { ManifestFootprint } from './tag.js';
import type { TagOrder } from './tag-order.js';

/**
 * Why a tag is kept or deleted. Every decision carries one of these plus a human sentence,
 * so that a report can always say why.
 */
export type DecisionReason =
  /** Matches no tag pattern of the job: never deleted. */
  | 'no-match'
  /** Matches an entry of keep_regexps: never deleted, takes no save_last place. */
  | 'keep-rule'
  /** order_by semver and the tag is not a SemVer version: it cannot be ranked, so it stays. */
  | 'not-a-version'
  /** Digest or creation date unknown. */
  | 'unresolved'
  /** Younger than older_than_days. */
  | 'recent'
  /** One of the save_last newest old tags of a group. */
  | 'save-last'
  /** Another group that also matches the tag keeps it (keep wins). */
  | 'kept-by-other-group'
  /** Its digest carries a tag that is kept: deleting the digest would delete that tag too. */
  | 'shared-digest'
  /**
   * Its digest is a platform image of a kept index (multi-arch tag): deleting it would break
   * pulls of the kept index for that platform.
   */
  | 'platform-of-kept-index'
  /** Some tag of the repository has an unknown digest, so exclusivity cannot be proven. */
  | 'unverifiable'
  /** Old and beyond save_last in every group that matches it. */
  | 'old';

export type TagAction = 'keep' | 'delete' | 'untag';

export interface TagDecision {
  readonly repository: string;
  readonly tag: string;
  readonly digest: string | undefined;
  readonly created: Date | undefined;
  /** Platform manifests when the tag is an index: a kept index protects them. */
  readonly children?: readonly string[];
  /** Sizes of the tag's manifest, when known: what deleting it can free. */
  readonly footprint?: ManifestFootprint;
  /**
   * `untag` (job key `shared_digest: untag`, issue 21): a selected tag whose image a kept tag
   * still carries is removed as a tag alone; the image stays.
   */
  readonly action: TagAction;
  readonly reason: DecisionReason;
  /** One sentence for reports and logs. */
  readonly detail: string;
  /** Where an old tag was placed by order_by in each group that matches it. */
  readonly ranking?: TagRanking;
}

/** The places of one old tag, as save_last counted them (issue 22: the order used shows). */
export interface TagRanking {
  readonly by: TagOrder;
  /** One per group (tag_regexps entry) that matches the tag: its 1-based place there. */
  readonly places: readonly { readonly group: string; readonly rank: number }[];
}
