import { compareCodePoints } from './code-point-order.js';
import { compareDecimalText } from './decimal-text.js';

/**
 * SemVer 2.0 (https://semver.org/spec/v2.0.0.html), written here rather than taken from the npm
 * `semver` package because the domain imports no library (architecture.md); the unit tests
 * check this against `semver` on the spec's table and on generated versions. Numbers stay
 * digit strings, so precedence holds at any size (the package refuses fields above 2^53).
 */
export interface SemanticVersion {
  /** major, minor, patch: digit strings without leading zeros. */
  readonly core: readonly [string, string, string];
  /** Dot-separated pre-release identifiers; empty for a release. */
  readonly preRelease: readonly string[];
}

/** Section 2 and 9: numeric identifiers have no leading zero; build metadata after `+`. */
const NUMBER = '0|[1-9]\\d*';
const PRE_RELEASE_ID = `${NUMBER}|\\d*[A-Za-z-][0-9A-Za-z-]*`;
const BUILD_ID = '[0-9A-Za-z-]+';
const VERSION = new RegExp(
  `^v?(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})` +
    `(?:-((?:${PRE_RELEASE_ID})(?:\\.(?:${PRE_RELEASE_ID}))*))?` +
    `(?:\\+${BUILD_ID}(?:\\.${BUILD_ID})*)?$`,
);
const NUMERIC = /^\d+$/;

/**
 * The version a tag names, with an optional leading `v` (`v1.2.3`), or undefined when the tag
 * is not a SemVer 2.0 version (`latest`, `1.2`, `01.2.3`, `1.2.3-rc.01`). Build metadata is
 * accepted and ignored, as section 10 says; Docker tags cannot hold a `+` anyway.
 */
export function parseSemanticVersion(tag: string): SemanticVersion | undefined {
  const match = VERSION.exec(tag);
  if (match === null) return undefined;
  const [, major = '', minor = '', patch = '', preRelease] = match;
  return {
    core: [major, minor, patch],
    preRelease: preRelease === undefined ? [] : preRelease.split('.'),
  };
}

/** Section 11 precedence, ascending: negative when `a` is lower than `b`, 0 when equal. */
export function compareSemanticVersions(a: SemanticVersion, b: SemanticVersion): number {
  for (let index = 0; index < 3; index += 1) {
    const byField = compareDecimalText(a.core[index] ?? '0', b.core[index] ?? '0');
    if (byField !== 0) return byField;
  }
  // 11.3: a pre-release is lower than its release.
  if (a.preRelease.length === 0 || b.preRelease.length === 0) {
    return Math.sign(b.preRelease.length - a.preRelease.length);
  }
  return comparePreReleases(a.preRelease, b.preRelease);
}

/** 11.4: identifier by identifier; then the longer list is higher. */
function comparePreReleases(a: readonly string[], b: readonly string[]): number {
  const shared = Math.min(a.length, b.length);
  for (let index = 0; index < shared; index += 1) {
    const byIdentifier = compareIdentifiers(a[index] ?? '', b[index] ?? '');
    if (byIdentifier !== 0) return byIdentifier;
  }
  return Math.sign(a.length - b.length);
}

/** 11.4.1-3: numbers numerically, below any alphanumeric; alphanumerics in ASCII order. */
function compareIdentifiers(a: string, b: string): number {
  const aNumeric = NUMERIC.test(a);
  const bNumeric = NUMERIC.test(b);
  if (aNumeric && bNumeric) return compareDecimalText(a, b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return compareCodePoints(a, b);
}
