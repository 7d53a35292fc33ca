/** Sizes and counts as every output writes them: reports, notifications, the demo. */

/** `12.3 MB`: decimal units, as registries and `docker images` show sizes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 'B';
  for (const next of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${unit}`;
}

/** `1,234`: thousands separated, whatever the machine's locale. */
export function formatCount(count: number): string {
  // Counts and byte sizes are integers, grouped here: toLocaleString makes an ICU number
  // formatter on each call, and the first one of a process cost about 15 ms of CPU (issue 9).
  if (!Number.isSafeInteger(count) || Object.is(count, -0)) return count.toLocaleString('en-US');
  const digits = String(Math.abs(count));
  let grouped = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let at = grouped.length; at < digits.length; at += 3) {
    grouped += `,${digits.slice(at, at + 3)}`;
  }
  return count < 0 ? `-${grouped}` : grouped;
}
