import { compareCodePoints } from './code-point-order.js';
import { compareNatural } from './natural-order.js';
import {
  compareSemanticVersions,
  parseSemanticVersion,
  type SemanticVersion,
} from './semantic-version.js';

/** `order_by` (issue 22): how save_last counts the old tags of a group. */
export type TagOrder = 'created' | 'semver' | 'natural';

export const TAG_ORDERS: readonly TagOrder[] = ['created', 'semver', 'natural'];
export const DEFAULT_TAG_ORDER: TagOrder = 'created';

/** An old tag as the ranking sees it. */
export interface RankedTag {
  readonly tag: string;
  readonly created: Date;
  /** Parsed once per tag, for `semver` only. */
  readonly version?: SemanticVersion;
}

/**
 * Whether `order` can rank this tag at all: `semver` only ranks versions; the others rank
 * every tag. Returns the parsed version for `semver`, or 'not-a-version'.
 */
export function rankable(
  order: TagOrder,
  tag: string,
): { readonly version?: SemanticVersion } | 'not-a-version' {
  if (order !== 'semver') return {};
  const version = parseSemanticVersion(tag);
  return version === undefined ? 'not-a-version' : { version };
}

/**
 * The comparator that sorts a group's old tags first to last, the first being the one
 * save_last keeps first: newest (`created`) or highest (`semver`, `natural`). Equal places are
 * broken by the newer image, then by tag name in descending code-point order, so the order is
 * the same on every run (behaviour.md section 2).
 */
export function rankingOrder(order: TagOrder): (a: RankedTag, b: RankedTag) => number {
  const byDateThenName = (a: RankedTag, b: RankedTag): number =>
    b.created.getTime() - a.created.getTime() || compareCodePoints(b.tag, a.tag);
  switch (order) {
    case 'created':
      return byDateThenName;
    case 'semver':
      return (a, b) => compareVersionsOf(b, a) || byDateThenName(a, b);
    case 'natural':
      return (a, b) => compareNatural(b.tag, a.tag) || byDateThenName(a, b);
  }
}

function compareVersionsOf(a: RankedTag, b: RankedTag): number {
  // rankable() gave every tag of a semver ranking its version.
  if (a.version === undefined || b.version === undefined) return 0;
  return compareSemanticVersions(a.version, b.version);
}
