/** What a restore did with one journaled tag (issue 16). */
export type TagRestoreOutcome =
  /** PUT again, and the tag now resolves to the journaled digest (checked after the PUT). */
  | { readonly status: 'restored' }
  /** Dry run: it would be PUT again. */
  | { readonly status: 'would-restore' }
  /** The tag points at the journaled digest already (restored before, or never deleted). */
  | { readonly status: 'in-place' }
  /** The tag points at another digest now (pushed again since): left alone. */
  | { readonly status: 'moved'; readonly digest: string }
  /** A blob the manifest needs is gone (garbage collected): nothing of it was PUT. */
  | { readonly status: 'refused'; readonly reason: string }
  /** A request failed, or the tag did not end on the journaled digest. */
  | { readonly status: 'failed'; readonly problem: string };

export interface TagRestore {
  readonly repository: string;
  readonly tag: string;
  /** The journaled digest. */
  readonly digest: string;
  readonly outcome: TagRestoreOutcome;
}

export interface RestoreReport {
  readonly dryRun: boolean;
  /** The journals read, in the order they were named. */
  readonly journals: readonly string[];
  /** The jobs whose journaled deletions these are (notifications filter on them). */
  readonly jobs?: readonly string[];
  /** Every journaled tag, by repository then tag. */
  readonly tags: readonly TagRestore[];
}

/** True when everything restorable was restored (or would be): nothing refused, nothing failed. */
export function restoreSucceeded(report: RestoreReport): boolean {
  return report.tags.every(
    ({ outcome }) => outcome.status !== 'refused' && outcome.status !== 'failed',
  );
}

export type RestoreCounts = Readonly<Record<TagRestoreOutcome['status'], number>>;

export function countRestore(report: RestoreReport): RestoreCounts {
  const counts: Record<TagRestoreOutcome['status'], number> = {
    restored: 0,
    'would-restore': 0,
    'in-place': 0,
    moved: 0,
    refused: 0,
    failed: 0,
  };
  for (const { outcome } of report.tags) counts[outcome.status] += 1;
  return counts;
}
