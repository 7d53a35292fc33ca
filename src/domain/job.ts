import type { TagOrder } from './tag-order.js';

/** A compiled regular expression together with the text the user wrote. */
export interface Pattern {
  /** As written in the YAML file, for messages and reports. */
  readonly source: string;
  /** Anchored at the start only (Python `re.match` semantics); see compilePattern. */
  readonly regex: RegExp;
}

/** A repository entry of a job: a literal name or `r/<regex>/` over the registry catalog. */
export type RepositorySelector =
  | { readonly kind: 'literal'; readonly name: string }
  | { readonly kind: 'pattern'; readonly pattern: Pattern };

/** A cleanup job as declared in jobs.yaml or manual.yaml, after validation. */
export interface Job {
  readonly name: string;
  readonly description?: string;
  readonly repositories: readonly RepositorySelector[];
  /** Each pattern is its own group (behaviour.md section 2). */
  readonly tagPatterns: readonly Pattern[];
  readonly saveLast: number;
  readonly olderThanDays: number;
  /** `order_by`: how save_last counts the old tags of a group; absent = 'created'. */
  readonly orderBy?: TagOrder;
  /** `keep_regexps`: a tag one of these matches is never deleted and takes no save_last place. */
  readonly keepPatterns?: readonly Pattern[];
  /** 0 for manual jobs. Fractional hours are allowed. */
  readonly cleanEveryHours: number;
  /** Optional cron expression (watch mode) used instead of cleanEveryHours. */
  readonly schedule?: string;
  /**
   * `shared_digest` (issue 21): what happens to a selected tag whose image a kept tag still
   * carries. `keep` (default) keeps it (reason shared-digest); `untag` removes the tag alone.
   */
  readonly sharedDigest?: SharedDigestPolicy;
  /** `delete_orphaned_referrers`: accessories whose subject is gone are deleted, not only listed. */
  readonly deleteOrphanedReferrers?: boolean;
  /** `fail_on_warning: true`: a run with any warning fails (exit 1), as `--strict` does. */
  readonly failOnWarning?: boolean;
}

export const SHARED_DIGEST_POLICIES = ['keep', 'untag'] as const;
export type SharedDigestPolicy = (typeof SHARED_DIGEST_POLICIES)[number];

/**
 * Compiles a user pattern so that it matches at the start of the subject and not necessarily
 * at its end, like Python's `re.match` that the original tool used. The source is validated
 * on its own first so that an unbalanced group cannot pair up with our wrapper.
 * Throws SyntaxError when the source is not a valid JavaScript regular expression.
 */
export function compilePattern(source: string): Pattern {
  new RegExp(source);
  return { source, regex: new RegExp(`^(?:${source})`) };
}

export function matchesPattern(pattern: Pattern, subject: string): boolean {
  return pattern.regex.test(subject);
}

export function selectorLabel(selector: RepositorySelector): string {
  return selector.kind === 'literal' ? selector.name : `r/${selector.pattern.source}/`;
}

/** The repositories a job covers, given the catalog (only needed when a selector is a pattern). */
export function resolveRepositories(job: Job, catalog: readonly string[]): string[] {
  const chosen = new Set<string>();
  for (const selector of job.repositories) {
    if (selector.kind === 'literal') {
      chosen.add(selector.name);
    } else {
      for (const name of catalog) {
        if (matchesPattern(selector.pattern, name)) chosen.add(name);
      }
    }
  }
  return [...chosen];
}

export function needsCatalog(job: Job): boolean {
  return job.repositories.some((selector) => selector.kind === 'pattern');
}

/** Tags that some pattern of the job matches; the others are never deleted nor inspected. */
export function tagsMatchingAnyPattern(
  patterns: readonly Pattern[],
  tags: readonly string[],
): string[] {
  return tags.filter((tag) => patterns.some((pattern) => matchesPattern(pattern, tag)));
}

/** The `r/<regex>/` selectors of a job that match no repository of the catalog (likely a typo). */
export function emptySelectors(job: Job, catalog: readonly string[]): string[] {
  return job.repositories
    .filter(
      (selector) =>
        selector.kind === 'pattern' &&
        !catalog.some((name) => matchesPattern(selector.pattern, name)),
    )
    .map(selectorLabel);
}
