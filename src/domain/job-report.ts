import type { TagDecision } from './decision.js';
import { reclaimableBytes } from './reclaimable-space.js';
import type { Shard } from './shard.js';
import type { ManifestFootprint, TagDigest } from './tag.js';

/** Outcome of one DELETE of a manifest digest. */
export type DeletionOutcome =
  | { readonly status: 'deleted' }
  | { readonly status: 'already-gone' }
  /** Not attempted: dry run, deletion disabled on the registry, or shutdown in progress. */
  | { readonly status: 'skipped'; readonly why: string }
  | { readonly status: 'failed'; readonly problem: string };

export interface DeletionResult {
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
  readonly outcome: DeletionOutcome;
  /**
   * The deleted image's accessories (behaviour.md 3a: signatures, attestations, SBOMs), each
   * deleted by digest after the image; absent when it has none.
   */
  readonly accessories?: readonly AccessoryResult[];
}

/** One accessory manifest deleted (or that would be) with its image, or as an orphan. */
export interface AccessoryResult {
  readonly digest: string;
  /** Its accessory tags (`sha256-<hex>.sig`, the fallback tag); none for a referrer manifest. */
  readonly tags: readonly string[];
  /** The manifest it belongs to. */
  readonly subject: string;
  readonly outcome: DeletionOutcome;
}

/** What removing one tag alone did (`shared_digest: untag`, issue 21). */
export type UntagOutcome =
  | {
      readonly status: 'untagged';
      /** The registry's tag DELETE, or a placeholder PUT at the tag and deleted by digest. */
      readonly mechanism: UntagMechanism;
    }
  /** The tag was gone already: nothing to do. */
  | { readonly status: 'already-gone' }
  /** Not attempted: dry run, the tag moved since it was resolved, shutdown, deletions stopped. */
  | { readonly status: 'skipped'; readonly why: string }
  | { readonly status: 'failed'; readonly problem: string };

export type UntagMechanism = 'tag-delete' | 'placeholder';

/** One tag removed alone (or that would be): its image stays for the kept tag `keptFor`. */
export interface UntagResult {
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  readonly keptFor: string;
  readonly outcome: UntagOutcome;
}

/**
 * Everything one repository of a run produced. It is handed to the run's observers as soon as
 * the repository is done and then released: only its summary stays for the rest of the run.
 */
export interface RepositoryReport {
  readonly repository: string;
  /** Every tag of the repository that the job examined, with its decision. */
  readonly decisions: readonly TagDecision[];
  /** Tags that match no pattern of the job: never deleted. */
  readonly unmatchedTags?: number;
  /**
   * Those tags by name; their digest (and sizes) only when it was read, which happens when the
   * repository has deletion candidates (they may share a digest with one).
   */
  readonly unmatched?: readonly TagDigest[];
  readonly deletions: readonly DeletionResult[];
  /** Tags removed alone (`shared_digest: untag`); absent when there are none. */
  readonly untags?: readonly UntagResult[];
  /**
   * Accessories whose subject is gone (orphans) that `delete_orphaned_referrers: true` deleted
   * (or would, in a dry run). Orphans that stay are named in `warnings`.
   */
  readonly orphans?: readonly AccessoryResult[];
  /** Problems that concern the repository or single tags in it (request failures). */
  readonly errors: readonly string[];
  /** Facts about the data worth a warning (e.g. an image without `created`). */
  readonly warnings: readonly string[];
  /**
   * Set when the repository was not finished: a shutdown signal came before its deletions
   * began (or before it started). Its decisions are then empty: none were acted on.
   */
  readonly skipped?: SkipReason;
}

/** Why a repository was not finished. */
export type SkipReason = 'shutdown';

/** A repository that a shutdown stopped before it deleted anything. */
export function skippedRepository(repository: string, why: SkipReason): RepositoryReport {
  return { repository, decisions: [], deletions: [], errors: [], warnings: [], skipped: why };
}

export interface JobTotals {
  readonly examined: number;
  readonly kept: number;
  /** Tags removed from the registry with their image (or that would be, in a dry run). */
  readonly deleted: number;
  /** Tags removed alone, their image kept (`shared_digest: untag`; or that would be). */
  readonly untagged: number;
  readonly failed: number;
  /**
   * Bytes the registry's garbage collector can free after the deletions (or would, in a dry
   * run): see reclaimable-space.ts. Blobs shared with other repositories are counted.
   */
  readonly reclaimableBytes: number;
}

/** What stays of a repository once its report went to the observers: counts and problems. */
export interface RepositorySummary extends JobTotals {
  readonly repository: string;
  readonly unmatched: number;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  readonly skipped?: SkipReason;
}

/** A tag whose digest was deleted (or would be, or failed to be), for the state record. */
export interface DeletedTag {
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  /**
   * The image's creation (epoch milliseconds), not a Date: a job keeps up to DELETED_TAGS_KEPT
   * of these for its whole run, and a Date is ~90 bytes more each (issue 25).
   */
  readonly created: number | undefined;
  readonly status: DeletionOutcome['status'];
}

export type RunMode = 'manual' | 'watch';

/**
 * What one run of one job did, in memory of bounded size: totals, one summary per repository
 * and at most DELETED_TAGS_KEPT deleted tags. The full list of decisions went to the observers
 * repository by repository (reports, console table).
 */
export interface JobReport {
  readonly jobName: string;
  readonly mode: RunMode;
  readonly dryRun: boolean;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** False when any request failed after its retries, or the job could not work at all. */
  readonly success: boolean;
  /** Job-level problems (auth refused, registry unreachable, deletion disabled...). */
  readonly errors: readonly string[];
  /** Job-level facts worth a warning (e.g. an `r/<regex>/` that matched no repository). */
  readonly warnings: readonly string[];
  readonly totals: JobTotals;
  readonly repositories: readonly RepositorySummary[];
  /** The first DELETED_TAGS_KEPT deleted tags, in the order their repositories finished. */
  readonly deletedTags: readonly DeletedTag[];
  /** Deleted tags beyond DELETED_TAGS_KEPT, counted but not listed. */
  readonly deletedTagsOmitted: number;
  /** True when a shutdown signal cut the run short. */
  readonly interrupted: boolean;
  /** Where the run's deletion journal is, when it deleted anything: `--restore` reads it. */
  readonly journal?: string;
  /** `--shard I/N`: the run covered only the job's repositories of that shard. */
  readonly shard?: Shard;
}

/** How many deleted tags a JobReport lists; a run over millions of tags must not hold them all. */
export const DELETED_TAGS_KEPT = 10_000;

/** Counts of one repository's report (a dry run's skipped deletions count as deleted). */
export function summarise(report: RepositoryReport, dryRun: boolean): RepositorySummary {
  let kept = 0;
  for (const decision of report.decisions) if (decision.action === 'keep') kept += 1;
  let deleted = 0;
  let failed = report.errors.length;
  for (const deletion of report.deletions) {
    if (isDone(deletion.outcome, dryRun)) deleted += deletion.tags.length;
    if (deletion.outcome.status === 'failed') failed += deletion.tags.length;
  }
  let untagged = 0;
  for (const untag of report.untags ?? []) {
    if (isUntagDone(untag.outcome, dryRun)) untagged += 1;
    if (untag.outcome.status === 'failed') failed += 1;
  }
  return {
    repository: report.repository,
    examined: report.decisions.length,
    unmatched: report.unmatchedTags ?? 0,
    kept,
    deleted,
    untagged,
    failed,
    reclaimableBytes: reclaimableBytesOf(report, dryRun),
    errors: report.errors,
    warnings: report.warnings,
    ...(report.skipped === undefined ? {} : { skipped: report.skipped }),
  };
}

function isDone(outcome: DeletionOutcome, dryRun: boolean): boolean {
  return (
    outcome.status === 'deleted' ||
    outcome.status === 'already-gone' ||
    (dryRun && outcome.status === 'skipped')
  );
}

/** Removed alone, gone already, or (dry run) what would be: a tag counted as untagged. */
export function isUntagDone(outcome: UntagOutcome, dryRun: boolean): boolean {
  return (
    outcome.status === 'untagged' ||
    outcome.status === 'already-gone' ||
    (dryRun && outcome.status === 'skipped' && outcome.why === DRY_RUN)
  );
}

/** Why nothing was sent in a dry run. */
export const DRY_RUN = 'dry run';

/** What the deletions of one repository free: removed manifests against the ones that stay. */
export function reclaimableBytesOf(report: RepositoryReport, dryRun: boolean): number {
  const gone = new Set<string>();
  for (const deletion of report.deletions) {
    if (isDone(deletion.outcome, dryRun)) gone.add(deletion.digest);
  }
  if (gone.size === 0) return 0;
  const removed = new Map<string, ManifestFootprint>();
  const surviving: ManifestFootprint[] = [];
  for (const tag of [...report.decisions, ...(report.unmatched ?? [])]) {
    const footprint = tag.footprint;
    if (footprint === undefined || tag.digest === undefined) continue;
    if (!gone.has(tag.digest)) surviving.push(footprint);
    else if (removed.get(tag.digest)?.platforms === undefined) removed.set(tag.digest, footprint);
  }
  return reclaimableBytes([...removed.values()], surviving);
}

/** The deleted tags of one repository report, with their creation dates. */
export function deletedTagsOf(report: RepositoryReport): DeletedTag[] {
  const created = new Map<string, Date | undefined>();
  for (const decision of report.decisions) created.set(decision.tag, decision.created);
  return report.deletions.flatMap((deletion) =>
    deletion.tags.map((tag) => ({
      repository: deletion.repository,
      tag,
      digest: deletion.digest,
      created: created.get(tag)?.getTime(),
      status: deletion.outcome.status,
    })),
  );
}

/** The last real (not dry) run of a job, which is all that scheduling needs. */
export interface LastRealRun {
  readonly finishedAt: Date;
  readonly success: boolean;
}

const NO_TOTALS: JobTotals = {
  examined: 0,
  kept: 0,
  deleted: 0,
  untagged: 0,
  failed: 0,
  reclaimableBytes: 0,
};

/**
 * The report of a job that could not start its work at all (e.g. the catalog was refused). Its
 * times are the real ones: finding that out can take the retries of a registry that is down.
 */
export function failedBeforeStart(
  jobName: string,
  mode: RunMode,
  dryRun: boolean,
  run: { readonly startedAt: Date; readonly finishedAt: Date; readonly error: string },
): JobReport {
  return {
    jobName,
    mode,
    dryRun,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    success: false,
    errors: [run.error],
    warnings: [],
    totals: NO_TOTALS,
    repositories: [],
    deletedTags: [],
    deletedTagsOmitted: 0,
    interrupted: false,
  };
}
