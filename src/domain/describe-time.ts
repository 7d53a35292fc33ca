/** Wording shared by the decisions' detail sentences. */

export const DAY_MS = 24 * 60 * 60 * 1000;
export const HOUR_MS = 60 * 60 * 1000;

/** An instant as ISO 8601 UTC, without the `.000` that whole seconds would show. */
export function formatInstant(instant: Date): string {
  return instant.toISOString().replace('.000Z', 'Z');
}

export function formatDayCount(count: number): string {
  return count === 1 ? '1 day' : `${count} days`;
}

/**
 * An age in days, rounded DOWN so that the printed comparison with the limit always agrees
 * with the decision (4.9 days prints as 4 and is recent under a limit of 5). A fractional
 * limit gets two decimals, rounded down as well.
 */
export function formatAge(ageDays: number, limitDays: number): string {
  const shown = Number.isInteger(limitDays) ? Math.floor(ageDays) : Math.floor(ageDays * 100) / 100;
  return formatDayCount(shown);
}

/**
 * A duration given in hours, in the units a person reads: "7 s", "5 min", "6 h",
 * "1 h 30 min". Rounded to whole seconds; zero parts are left out.
 */
export function formatHours(hours: number): string {
  const totalSeconds = Math.round(hours * 3600);
  if (totalSeconds < 1) return 'under 1 s';
  const h = Math.floor(totalSeconds / 3600);
  const min = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const parts = [
    ...(h > 0 ? [`${String(h)} h`] : []),
    ...(min > 0 ? [`${String(min)} min`] : []),
    ...(s > 0 ? [`${String(s)} s`] : []),
  ];
  return parts.join(' ');
}
