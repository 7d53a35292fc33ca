import type { DecisionReason } from '../../domain/decision.js';
import type { ReportTag, RunStatus } from './json-report.js';

/** Wording shared by the HTML and Markdown reports. */

/** A reason code in words, for people who do not know the codes. */
export const REASON_WORDS: Readonly<Record<DecisionReason, string>> = {
  'no-match': 'matches no tag pattern',
  'keep-rule': 'matches keep_regexps',
  'not-a-version': 'not a version (order_by semver)',
  unresolved: 'could not be read',
  recent: 'younger than older_than_days',
  'save-last': 'one of the newest (save_last)',
  'kept-by-other-group': 'kept by another pattern',
  'shared-digest': 'shares its digest with a kept tag',
  'platform-of-kept-index': 'platform image of a kept multi-arch tag',
  unverifiable: 'repository not fully readable',
  old: 'old, beyond save_last',
};

/** What happened to a tag, in a few words. */
export function decisionWords(tag: ReportTag, dryRun: boolean): string {
  if (tag.action === 'keep') return 'kept';
  if (tag.action === 'untag') return untagWords(tag, dryRun);
  switch (tag.outcome) {
    case 'untagged':
      return 'untagged';
    case 'deleted':
      return 'deleted';
    case 'already-gone':
      return 'deleted (already gone)';
    case 'failed':
      return 'deletion failed';
    case 'skipped':
      return dryRun ? 'would delete' : 'not deleted';
    case null:
      return dryRun ? 'would delete' : 'selected';
  }
}

/** A tag removed alone (`shared_digest: untag`): its image stays. */
function untagWords(tag: ReportTag, dryRun: boolean): string {
  switch (tag.outcome) {
    case 'untagged':
    case 'already-gone':
      return 'untagged';
    case 'failed':
      return 'untag failed';
    case 'skipped':
    case null:
      return dryRun ? 'would untag' : 'not untagged';
    case 'deleted':
      return 'deleted';
  }
}

/** The verdict at the top of a report. */
export function verdictWords(status: RunStatus, dryRun: boolean): string {
  switch (status) {
    case 'interrupted':
      return 'Interrupted';
    case 'failed':
      return dryRun ? 'Dry run failed' : 'Failed';
    case 'success':
      return dryRun ? 'Dry run' : 'Success';
  }
}

export const RECLAIMABLE_NOTE =
  "Reclaimable: what the registry's garbage collector can free once these manifests are gone: " +
  'each deleted manifest, its config and layers (for a multi-arch tag, its platform images ' +
  'too), minus every blob a remaining tag of the same repository still uses, each blob once. ' +
  'Blobs shared with other repositories stay on disk. Nothing is freed until the garbage ' +
  'collector runs.';
