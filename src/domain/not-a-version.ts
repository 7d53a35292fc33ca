import type { TagDecision } from './decision.js';
import { nameSomeTags } from './tag-list-text.js';

/**
 * One warning naming the tags that order_by semver could not rank (issue 22), or undefined
 * when there are none. They are kept, but the operator is likely to want them matched by no
 * tag_regexps entry (or protected on purpose with keep_regexps).
 */
export function notAVersionWarning(decisions: readonly TagDecision[]): string | undefined {
  const tags = decisions
    .filter((decision) => decision.reason === 'not-a-version')
    .map((decision) => decision.tag);
  if (tags.length === 0) return undefined;
  return (
    `not a version, kept because order_by is semver: ${nameSomeTags(tags)} ` +
    '(narrow tag_regexps to versions, or list such tags in keep_regexps)'
  );
}
