import type { TagDecision } from './decision.js';

/**
 * Reproducible builds (Jib, ko, Bazel, Nix...) stamp images with 1970-01-01 or 1980-01-01, so
 * the age rule sees them as decades old. Nothing changes in the decision; the operator is told.
 */
const REPRODUCIBLE_BUILD_CUTOFF = Date.UTC(2000, 0, 1);
const TAGS_NAMED = 10;

/** One warning naming the tags created before 2000, or undefined when there are none. */
export function reproducibleBuildDateWarning(
  decisions: readonly TagDecision[],
): string | undefined {
  const tags = decisions
    .filter((decision) => (decision.created?.getTime() ?? Infinity) < REPRODUCIBLE_BUILD_CUTOFF)
    .map((decision) => decision.tag)
    .sort();
  if (tags.length === 0) return undefined;
  const named = tags.slice(0, TAGS_NAMED).join(', ');
  const more = tags.length > TAGS_NAMED ? ` and ${tags.length - TAGS_NAMED} more` : '';
  return (
    `created before 2000: ${named}${more} (a reproducible-build date; ` +
    'the age rule treats it as very old)'
  );
}
