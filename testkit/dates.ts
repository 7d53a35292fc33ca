/** One day in milliseconds: image ages are counted in days. */
export const DAY_MS = 86_400_000;

/**
 * The instant `days` days (fractions allowed) before `from`: now by default, taken at the call,
 * as the end-to-end tests want for images the CLI then judges against its own clock; a fixed
 * instant for unit tests that pass one to the code under test.
 */
export function daysAgo(days: number, from: Date = new Date()): Date {
  return new Date(from.getTime() - days * DAY_MS);
}
