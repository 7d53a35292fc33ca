import type { TagDecision } from './decision.js';
import { DAY_MS, formatAge, formatDayCount, formatInstant } from './describe-time.js';
import { matchesPattern, type Pattern } from './job.js';
import { childrenOf, createdOf, digestOf, footprintOf, type InspectedTag } from './tag.js';
import {
  DEFAULT_TAG_ORDER,
  rankable,
  rankingOrder,
  type RankedTag,
  type TagOrder,
} from './tag-order.js';

/** The part of a Job that selection needs (a Job satisfies it). */
export interface SelectionRules {
  /** Each pattern is its own group. */
  readonly tagPatterns: readonly Pattern[];
  readonly olderThanDays: number;
  readonly saveLast: number;
  /** How save_last counts the old tags; absent = 'created' (newest first). */
  readonly orderBy?: TagOrder;
  /** A tag one of these matches is taken out of every group: never deleted. */
  readonly keepPatterns?: readonly Pattern[];
}

/** What a tag is on its own, before the groups are compared. */
type Assessment =
  | { readonly stage: 'no-match' }
  | { readonly stage: 'keep-rule'; readonly pattern: Pattern }
  | { readonly stage: 'not-a-version' }
  | { readonly stage: 'unresolved'; readonly why: string }
  | { readonly stage: 'recent'; readonly why: string }
  | {
      readonly stage: 'old';
      readonly ranked: RankedTag;
      readonly why: string;
      readonly groups: readonly Pattern[];
    };

/** Where an old tag stands in one group that matches it. */
interface GroupVerdict {
  readonly pattern: Pattern;
  /** 1-based position among the group's old tags, in the job's order. */
  readonly rank: number;
  readonly kept: boolean;
}

/**
 * Decides every tag of ONE repository (behaviour.md section 2). Tags matching no pattern get
 * action keep, reason 'no-match'. The decisions come back in the order of `tags`.
 *
 * Choices where the spec leaves room:
 * - Boundary: a tag is old when `now - created >= olderThanDays * 24h`, so a tag exactly
 *   olderThanDays old is old. A `created` after `now` (clock skew) is recent.
 * - Order of checks: no-match, keep-rule, not-a-version, then unresolved, recent, save_last.
 *   The first three depend on the tag's name only, so they hold whatever the registry said:
 *   a tag that matches no pattern is 'no-match' even if it could not be resolved, and a
 *   keep_regexps tag is 'keep-rule' whatever its age.
 * - keep_regexps (issue 22) takes a tag out of every group before anything else: it is
 *   neither aged nor ranked, so it uses up no save_last place. A tag that matches no
 *   tag_regexps entry stays 'no-match' (it is in no group to be taken out of).
 * - order_by semver: a tag that is not a version cannot be ranked, so it is kept
 *   ('not-a-version') at any age; the job warns about it (notAVersionWarning). Recent
 *   versions stay recent: the order changes only how save_last counts the old tags.
 * - Unresolved tags (request failed, or no usable `created`) are not old tags: they are kept
 *   and neither take nor count towards a save_last place, in any group. Only tags with a known
 *   date can be ranked newest first, and ranking an undated tag anywhere would either protect
 *   an arbitrary old tag less or delete one more than save_last promises.
 * - A date is taken at face value: `1970-01-01` (reproducible builds set it) looks ancient
 *   and is deleted when the rules say so; save_last still protects the N newest.
 * - Several groups: a tag is deleted only if every group that matches it selects it. When all
 *   of them keep it the reason is 'save-last'; when some select it and another keeps it the
 *   reason is 'kept-by-other-group', and the detail names both sides.
 * - Tags of several repositories are ranked per repository, never across.
 */
export function selectTags(
  tags: readonly InspectedTag[],
  rules: SelectionRules,
  now: Date,
): TagDecision[] {
  checkRules(rules);
  const assessments = tags.map((tag) => assess(tag, rules, now));
  const verdicts = rankOldTags(tags, assessments, rules);
  return tags.map((tag, index) => {
    const assessment = assessments[index] ?? { stage: 'no-match' };
    return decide(tag, assessment, verdicts[index] ?? [], rules);
  });
}

function checkRules(rules: SelectionRules): void {
  // NaN would make `position < saveLast` false for every tag and delete them all.
  if (!Number.isInteger(rules.saveLast) || rules.saveLast < 0) {
    throw new RangeError(`save_last must be a whole number >= 0, got ${rules.saveLast}`);
  }
  if (!Number.isFinite(rules.olderThanDays) || rules.olderThanDays < 0) {
    throw new RangeError(`older_than_days must be a number >= 0, got ${rules.olderThanDays}`);
  }
}

function assess(tag: InspectedTag, rules: SelectionRules, now: Date): Assessment {
  const groups = rules.tagPatterns.filter((pattern) => matchesPattern(pattern, tag.tag));
  if (groups.length === 0) return { stage: 'no-match' };
  const keep = rules.keepPatterns?.find((pattern) => matchesPattern(pattern, tag.tag));
  if (keep !== undefined) return { stage: 'keep-rule', pattern: keep };
  const order = rankable(rules.orderBy ?? DEFAULT_TAG_ORDER, tag.tag);
  if (order === 'not-a-version') return { stage: 'not-a-version' };
  const resolution = tag.resolution;
  switch (resolution.status) {
    case 'failed':
      return { stage: 'unresolved', why: `could not be inspected: ${resolution.problem}` };
    case 'undated':
      return {
        stage: 'unresolved',
        why: `digest ${resolution.digest} has no usable creation date: ${resolution.problem}`,
      };
    case 'resolved':
      break;
  }
  const created = resolution.created;
  if (Number.isNaN(created.getTime())) {
    return { stage: 'unresolved', why: 'the creation date is not a valid date' };
  }
  const ageMs = now.getTime() - created.getTime();
  const createdText = `created ${formatInstant(created)}`;
  if (ageMs < 0) {
    return {
      stage: 'recent',
      why: `${createdText}, later than now (${formatInstant(now)}): counted as recent`,
    };
  }
  const limit = rules.olderThanDays;
  const age = formatAge(ageMs / DAY_MS, limit);
  if (ageMs < limit * DAY_MS) {
    return { stage: 'recent', why: `${createdText}, ${age} old < ${formatDayCount(limit)}` };
  }
  return {
    stage: 'old',
    ranked: { tag: tag.tag, created, ...order },
    why: `${createdText}, ${age} old >= ${formatDayCount(limit)}`,
    groups,
  };
}

/** Per tag index, its place in every group that matches it (old tags only). */
function rankOldTags(
  tags: readonly InspectedTag[],
  assessments: readonly Assessment[],
  rules: SelectionRules,
): GroupVerdict[][] {
  const verdicts: GroupVerdict[][] = tags.map(() => []);
  const oldByRepository = new Map<
    string,
    { index: number; ranked: RankedTag; groups: readonly Pattern[] }[]
  >();
  assessments.forEach((assessment, index) => {
    const tag = tags[index];
    if (assessment.stage !== 'old' || tag === undefined) return;
    const list = oldByRepository.get(tag.repository) ?? [];
    list.push({ index, ranked: assessment.ranked, groups: assessment.groups });
    oldByRepository.set(tag.repository, list);
  });
  const order = rankingOrder(rules.orderBy ?? DEFAULT_TAG_ORDER);
  for (const oldTags of oldByRepository.values()) {
    for (const pattern of rules.tagPatterns) {
      const members = oldTags
        .filter((old) => old.groups.includes(pattern))
        .sort((a, b) => order(a.ranked, b.ranked));
      members.forEach((member, position) => {
        verdicts[member.index]?.push({
          pattern,
          rank: position + 1,
          kept: position < rules.saveLast,
        });
      });
    }
  }
  return verdicts;
}

function decide(
  tag: InspectedTag,
  assessment: Assessment,
  verdicts: readonly GroupVerdict[],
  rules: SelectionRules,
): TagDecision {
  const base = {
    repository: tag.repository,
    tag: tag.tag,
    digest: digestOf(tag.resolution),
    created: createdOf(tag.resolution),
    ...childrenOf(tag.resolution),
    ...footprintOf(tag.resolution),
  };
  switch (assessment.stage) {
    case 'no-match':
      return { ...base, action: 'keep', reason: 'no-match', detail: noMatchDetail(rules) };
    case 'keep-rule':
      return { ...base, action: 'keep', reason: 'keep-rule', detail: keepRuleDetail(assessment) };
    case 'not-a-version':
      return { ...base, action: 'keep', reason: 'not-a-version', detail: NOT_A_VERSION_DETAIL };
    case 'unresolved':
      return { ...base, action: 'keep', reason: 'unresolved', detail: assessment.why };
    case 'recent':
      return { ...base, action: 'keep', reason: 'recent', detail: assessment.why };
    case 'old':
      break;
  }
  const keptBy = verdicts.filter((verdict) => verdict.kept);
  const selectedBy = verdicts.filter((verdict) => !verdict.kept);
  const orderBy = rules.orderBy ?? DEFAULT_TAG_ORDER;
  const within = keptBy.map((verdict) => withinSaveLast(verdict, rules.saveLast, orderBy));
  const beyond = selectedBy.map((verdict) => beyondSaveLast(verdict, rules.saveLast, orderBy));
  const ranking = {
    by: orderBy,
    places: verdicts.map((verdict) => ({ group: verdict.pattern.source, rank: verdict.rank })),
  };
  if (keptBy.length === 0) {
    return {
      ...base,
      ranking,
      action: 'delete',
      reason: 'old',
      detail: [assessment.why, ...beyond].join('; '),
    };
  }
  if (selectedBy.length === 0) {
    return {
      ...base,
      ranking,
      action: 'keep',
      reason: 'save-last',
      detail: [assessment.why, ...within].join('; '),
    };
  }
  return {
    ...base,
    ranking,
    action: 'keep',
    reason: 'kept-by-other-group',
    detail: [assessment.why, ...within, `(selected in: ${beyond.join('; ')})`].join('; '),
  };
}

function withinSaveLast(verdict: GroupVerdict, saveLast: number, order: TagOrder): string {
  if (order === 'created') {
    return `among the ${saveLast} newest old tags of group ${verdict.pattern.source} (#${verdict.rank})`;
  }
  return `${place(verdict, order)}: within save_last ${saveLast}`;
}

function beyondSaveLast(verdict: GroupVerdict, saveLast: number, order: TagOrder): string {
  if (order !== 'created') {
    const limit = saveLast === 0 ? 'save_last is 0' : `beyond save_last ${saveLast}`;
    return `${place(verdict, order)}: ${limit}`;
  }
  return saveLast === 0
    ? `save_last is 0 in group ${verdict.pattern.source} (#${verdict.rank} of its old tags)`
    : `not among the ${saveLast} newest old tags of group ${verdict.pattern.source} (#${verdict.rank})`;
}

/** "#2 by semver among the old tags of group v\d" (issue 22). */
function place(verdict: GroupVerdict, order: TagOrder): string {
  return `#${verdict.rank} by ${order} among the old tags of group ${verdict.pattern.source}`;
}

function keepRuleDetail(assessment: { readonly pattern: Pattern }): string {
  return `matches keep_regexps entry ${assessment.pattern.source}: never deleted, takes no save_last place`;
}

const NOT_A_VERSION_DETAIL =
  'not a SemVer 2.0 version (an optional leading v allowed), so order_by semver cannot rank it: kept';

/** The sentence for a tag no pattern of the job matches (reports list such tags too). */
export function noMatchDetail(rules: SelectionRules): string {
  if (rules.tagPatterns.length === 0) return 'the job has no tag patterns: never deleted';
  const sources = rules.tagPatterns.map((pattern) => pattern.source).join(', ');
  return `matches none of the tag patterns (${sources}): never deleted`;
}
