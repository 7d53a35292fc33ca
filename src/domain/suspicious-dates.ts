import type { TagDecision } from './decision.js';
import { nameSomeTags } from './tag-list-text.js';

/**
 * Reproducible builds (Jib, ko, Bazel, Nix...) stamp images with 1970-01-01 or 1980-01-01, so
 * the age rule sees them as decades old. Nothing changes in the decision; the operator is told.
 */
const REPRODUCIBLE_BUILD_CUTOFF = Date.UTC(2000, 0, 1);

/** One warning naming the tags created before 2000, or undefined when there are none. */
export function reproducibleBuildDateWarning(
  decisions: readonly TagDecision[],
): string | undefined {
  const tags = decisions
    .filter((decision) => (decision.created?.getTime() ?? Infinity) < REPRODUCIBLE_BUILD_CUTOFF)
    .map((decision) => decision.tag);
  if (tags.length === 0) return undefined;
  return (
    `created before 2000: ${nameSomeTags(tags)} (a reproducible-build date; ` +
    'the age rule treats it as very old)'
  );
}
