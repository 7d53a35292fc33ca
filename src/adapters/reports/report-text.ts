import type { DecisionReason } from '../../domain/decision.js';
import type { ReportTag, RunStatus } from './json-report.js';

/** Wording shared by the HTML and Markdown reports. */

/** `12.3 MB`: decimal units, as registries and `docker images` show sizes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 'B';
  for (const next of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${unit}`;
}

/** `1,234`: thousands separated, whatever the machine's locale. */
export function formatCount(count: number): string {
  // Counts and byte sizes are integers, grouped here: toLocaleString makes an ICU number
  // formatter on each call, and the first one of a process cost about 15 ms of CPU (issue 9).
  if (!Number.isSafeInteger(count) || Object.is(count, -0)) return count.toLocaleString('en-US');
  const digits = String(Math.abs(count));
  let grouped = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let at = grouped.length; at < digits.length; at += 3) {
    grouped += `,${digits.slice(at, at + 3)}`;
  }
  return count < 0 ? `-${grouped}` : grouped;
}

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
  switch (tag.outcome) {
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
