/** How many tags a warning names; a repository of thousands must not make a warning of pages. */
const TAGS_NAMED = 10;

/** `a, b, c and 12 more`: the first TAGS_NAMED tags in sorted order, then a count of the rest. */
export function nameSomeTags(tags: readonly string[]): string {
  const sorted = [...tags].sort();
  const named = sorted.slice(0, TAGS_NAMED).join(', ');
  const more = sorted.length > TAGS_NAMED ? ` and ${sorted.length - TAGS_NAMED} more` : '';
  return `${named}${more}`;
}
