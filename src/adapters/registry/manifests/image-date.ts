import type { ImageDate } from '../../../domain/image-date.js';

// RFC 3339 as Go writes it (nanoseconds allowed), plus the lenient forms seen in the wild:
// a space instead of `T`, no seconds, no zone (= UTC, behaviour.md section 2).
const DATE_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z' || zone === 'z') {
    return 0;
  }
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
}

/** Parses an image config's `created`. A date without a zone is UTC. */
export function parseImageDate(value: unknown): ImageDate {
  if (value === undefined || value === null) {
    return { ok: false, problem: 'the image config has no "created" date' };
  }
  if (typeof value !== 'string') {
    return { ok: false, problem: 'the image config\'s "created" is not a string' };
  }
  const match = DATE_PATTERN.exec(value.trim());
  if (match === null) {
    return {
      ok: false,
      problem: `the image config's "created" (${JSON.stringify(value.slice(0, 60))}) is not a date`,
    };
  }
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((index) =>
    Number(match[index] ?? '0'),
  ) as [number, number, number, number, number, number];
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC: it maps years 0..99 to 19xx
  date.setUTCHours(hour, minute, Math.min(second, 59), millis);
  if (
    month < 1 ||
    month > 12 ||
    hour > 23 ||
    minute > 59 ||
    second > 60 ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  ) {
    return {
      ok: false,
      problem: `the image config's "created" (${JSON.stringify(value)}) is not a valid date`,
    };
  }
  if (year === 1 && month === 1 && day === 1) {
    // Go's zero time.Time: the builder left the date unset (ko, some Bazel rules).
    return {
      ok: false,
      problem: 'the image config\'s "created" is the zero date 0001-01-01 (unset by the builder)',
    };
  }
  return { ok: true, date: new Date(date.getTime() - zoneOffsetMinutes(match[8]) * 60_000) };
}
