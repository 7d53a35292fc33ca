/**
 * The known names closest to a mistyped one, best first (at most `limit`): a typo, a swapped
 * pair of letters, a missing suffix (`clean-dev` for `clean-dev-tags`) or a different case.
 * Empty when nothing is close enough to be worth suggesting.
 */
export function closestNames(wanted: string, known: readonly string[], limit = 3): string[] {
  const scored = known
    .map((name) => ({ name, distance: nameDistance(wanted, name) }))
    // A suggestion must keep something of what was typed: `y` is not a typo of `x`.
    .filter(
      ({ name, distance }) =>
        distance <= tolerance(wanted) && distance < Math.max(wanted.length, name.length),
    )
    .sort((a, b) => a.distance - b.distance || (a.name < b.name ? -1 : 1));
  return scored.slice(0, limit).map(({ name }) => name);
}

/** Roughly one edit in three characters, at least 2: `jobx` -> `job1` yes, `a` -> `zzz` no. */
function tolerance(wanted: string): number {
  return Math.max(2, Math.floor(wanted.length / 3));
}

/** Edit distance, ignoring case; a name that starts with `wanted` counts as one edit. */
function nameDistance(wanted: string, name: string): number {
  const a = wanted.toLowerCase();
  const b = name.toLowerCase();
  if (a.length >= 3 && b.startsWith(a) && a !== b) return 1;
  return editDistance(a, b);
}

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each cost 1. Exported for tests.
 */
export function editDistance(a: string, b: string): number {
  // rows[i][j] = distance between the first i characters of a and the first j of b.
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (above[j] ?? Infinity) + 1,
        (row[j - 1] ?? Infinity) + 1,
        (above[j - 1] ?? Infinity) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (rows[i - 2]?.[j - 2] ?? Infinity) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? Math.max(a.length, b.length);
}
