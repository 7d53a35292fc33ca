import type { TagDecision } from './decision.js';
import type { TagDigest } from './tag.js';

/** One digest to delete and the tags that go with it. */
export interface PlannedDeletion {
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
}

export interface DeletionPlan {
  /** The decisions again, with selected tags downgraded to keep where deletion is unsafe. */
  readonly decisions: readonly TagDecision[];
  /** Each digest once, only digests whose every tag in the repository is selected. */
  readonly deletions: readonly PlannedDeletion[];
}

export declare function planDeletions(
  decisions: readonly TagDecision[],
  otherTags: readonly TagDigest[],
): DeletionPlan;
