import { compareCodePoints } from './code-point-order.js';
import type { TagDecision } from './decision.js';
import { DAY_MS, formatAge, formatDayCount, formatInstant } from './describe-time.js';
import { matchesPattern, type Pattern } from './job.js';
import { childrenOf, createdOf, digestOf, footprintOf, type InspectedTag } from './tag.js';

/** The part of a Job that selection needs (a Job satisfies it). */
export interface SelectionRules {
  /** Each pattern is its own group. */
  readonly tagPatterns: readonly Pattern[];
  readonly olderThanDays: number;
  readonly saveLast: number;
}

/** What a tag is on its own, before the groups are compared. */
type Assessment =
  | { readonly stage: 'no-match' }
  | { readonly stage: 'unresolved'; readonly why: string }
  | { readonly stage: 'recent'; readonly why: string }
  | {
      readonly stage: 'old';
      readonly created: Date;
      readonly why: string;
      readonly groups: readonly Pattern[];
    };

/** Where an old tag stands in one group that matches it. */
interface GroupVerdict {
  readonly pattern: Pattern;
  /** 1-based position among the group's old tags, newest first. */
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
 * - Order of checks: no-match, then unresolved, then recent, then save_last. A tag that
 *   matches no pattern is 'no-match' even if it could not be resolved.
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
    created,
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
    { index: number; tag: string; created: Date; groups: readonly Pattern[] }[]
  >();
  assessments.forEach((assessment, index) => {
    const tag = tags[index];
    if (assessment.stage !== 'old' || tag === undefined) return;
    const list = oldByRepository.get(tag.repository) ?? [];
    list.push({ index, tag: tag.tag, created: assessment.created, groups: assessment.groups });
    oldByRepository.set(tag.repository, list);
  });
  for (const oldTags of oldByRepository.values()) {
    for (const pattern of rules.tagPatterns) {
      const members = oldTags
        .filter((old) => old.groups.includes(pattern))
        // Newest first; ties by tag name in descending code-point order (section 2.4).
        .sort(
          (a, b) => b.created.getTime() - a.created.getTime() || compareCodePoints(b.tag, a.tag),
        );
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
    case 'unresolved':
      return { ...base, action: 'keep', reason: 'unresolved', detail: assessment.why };
    case 'recent':
      return { ...base, action: 'keep', reason: 'recent', detail: assessment.why };
    case 'old':
      break;
  }
  const keptBy = verdicts.filter((verdict) => verdict.kept);
  const selectedBy = verdicts.filter((verdict) => !verdict.kept);
  const within = keptBy.map((verdict) => withinSaveLast(verdict, rules.saveLast));
  const beyond = selectedBy.map((verdict) => beyondSaveLast(verdict, rules.saveLast));
  if (keptBy.length === 0) {
    return {
      ...base,
      action: 'delete',
      reason: 'old',
      detail: [assessment.why, ...beyond].join('; '),
    };
  }
  if (selectedBy.length === 0) {
    return {
      ...base,
      action: 'keep',
      reason: 'save-last',
      detail: [assessment.why, ...within].join('; '),
    };
  }
  return {
    ...base,
    action: 'keep',
    reason: 'kept-by-other-group',
    detail: [assessment.why, ...within, `(selected in: ${beyond.join('; ')})`].join('; '),
  };
}

function withinSaveLast(verdict: GroupVerdict, saveLast: number): string {
  return `among the ${saveLast} newest old tags of group ${verdict.pattern.source} (#${verdict.rank})`;
}

function beyondSaveLast(verdict: GroupVerdict, saveLast: number): string {
  return saveLast === 0
    ? `save_last is 0 in group ${verdict.pattern.source} (#${verdict.rank} of its old tags)`
    : `not among the ${saveLast} newest old tags of group ${verdict.pattern.source} (#${verdict.rank})`;
}

/** The sentence for a tag no pattern of the job matches (reports list such tags too). */
export function noMatchDetail(rules: SelectionRules): string {
  if (rules.tagPatterns.length === 0) return 'the job has no tag patterns: never deleted';
  const sources = rules.tagPatterns.map((pattern) => pattern.source).join(', ');
  return `matches none of the tag patterns (${sources}): never deleted`;
}
