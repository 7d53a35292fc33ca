import type { NotifyOn } from '../../domain/notification-policy.js';
import { countRestore, restoreSucceeded, type RestoreReport } from '../../domain/restore-report.js';
import type { ListCaps } from './run-summary.js';

/**
 * What a message says about one `--restore` (issue 27 item 3): what was put back and what could
 * not be, so that an emergency undo leaves a trace where the team looks. Never a credential:
 * the registry is named by its host only.
 */
export interface RestoreSummary {
  /** host[:port] of the registry. */
  readonly registry: string;
  readonly dryRun: boolean;
  /** `succeeded`: everything restorable was put back; `incomplete`: something was not. */
  readonly status: 'succeeded' | 'incomplete';
  readonly reasons: readonly NotifyOn[];
  /** The jobs whose deletions were undone (from the journals). */
  readonly jobs: readonly string[];
  readonly journals: readonly string[];
  readonly finishedAt: string;
  readonly counts: {
    readonly restored: number;
    readonly alreadyInPlace: number;
    readonly leftAlone: number;
    readonly notRestored: number;
  };
  /** "repository:tag" put back (in a dry run: that would be), the first `caps.tags`. */
  readonly restored: readonly string[];
  readonly restoredOmitted: number;
  /** "repository:tag: why" for each tag not restored (refused, failed), capped. */
  readonly notRestored: readonly string[];
  readonly notRestoredOmitted: number;
  readonly truncated: boolean;
}

export function summariseRestore(
  report: RestoreReport,
  context: {
    readonly registry: string;
    readonly reasons: readonly NotifyOn[];
    readonly finishedAt: Date;
  },
  caps: ListCaps,
): RestoreSummary {
  const counts = countRestore(report);
  const back = report.tags.filter(({ outcome }) =>
    report.dryRun ? outcome.status === 'would-restore' : outcome.status === 'restored',
  );
  const missed = report.tags.flatMap(({ repository, tag, outcome }) =>
    outcome.status === 'refused'
      ? [`${repository}:${tag}: ${outcome.reason}`]
      : outcome.status === 'failed'
        ? [`${repository}:${tag}: ${outcome.problem}`]
        : [],
  );
  const restored = back.slice(0, caps.tags).map(({ repository, tag }) => `${repository}:${tag}`);
  const notRestored = missed.slice(0, caps.errors);
  return {
    registry: context.registry,
    dryRun: report.dryRun,
    status: restoreSucceeded(report) ? 'succeeded' : 'incomplete',
    reasons: context.reasons,
    jobs: report.jobs ?? [],
    journals: report.journals,
    finishedAt: context.finishedAt.toISOString(),
    counts: {
      restored: back.length,
      alreadyInPlace: counts['in-place'],
      leftAlone: counts.moved,
      notRestored: missed.length,
    },
    restored,
    restoredOmitted: back.length - restored.length,
    notRestored,
    notRestoredOmitted: missed.length - notRestored.length,
    truncated: back.length > restored.length || missed.length > notRestored.length,
  };
}

/** One line: chat previews, e-mail subjects, the fallback text. */
export function restoreHeadline(summary: RestoreSummary): string {
  const what = summary.dryRun ? 'restore dry run' : 'restore';
  const jobs = summary.jobs.length === 0 ? '' : ` of ${summary.jobs.join(', ')}`;
  const done = summary.dryRun ? 'would restore' : 'restored';
  return (
    `reg-cleaner ${what}${jobs} on ${summary.registry} ${summary.status}: ` +
    `${done} ${String(summary.counts.restored)}, not restored ${String(summary.counts.notRestored)}`
  );
}

/** Label and value pairs, in the order every format shows them. */
export function restoreFacts(summary: RestoreSummary): [string, string][] {
  return [
    ['Registry', summary.registry],
    ['Mode', summary.dryRun ? 'dry run (nothing was written)' : 'restore'],
    ['Jobs', summary.jobs.join(', ') || '(none)'],
    ['Journals', summary.journals.join(', ')],
    [summary.dryRun ? 'Would restore' : 'Restored', String(summary.counts.restored)],
    ['Already in place', String(summary.counts.alreadyInPlace)],
    ['Pushed again since (left alone)', String(summary.counts.leftAlone)],
    ['Not restored', String(summary.counts.notRestored)],
    ['Finished', summary.finishedAt],
  ];
}

/** The two lists (put back, not put back), each with how many it leaves out. */
export function restoreLists(
  summary: RestoreSummary,
): { title: string; items: readonly string[]; omitted: number }[] {
  const lists = [];
  if (summary.restored.length > 0) {
    lists.push({
      title: summary.dryRun ? 'Would be restored' : 'Restored',
      items: summary.restored,
      omitted: summary.restoredOmitted,
    });
  }
  if (summary.notRestored.length > 0) {
    lists.push({
      title: 'Not restored',
      items: summary.notRestored,
      omitted: summary.notRestoredOmitted,
    });
  }
  return lists;
}
