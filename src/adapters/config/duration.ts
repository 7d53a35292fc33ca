const HOUR_MS = 3_600_000;

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: HOUR_MS,
  d: 86_400_000,
};

export type ParsedDuration =
  { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly message: string };

/**
 * `30m`, `6h`, `1.5d`, `90s`; a bare number is hours, like clean_every_n_hours. Zero and
 * negative durations are refused: they would mean "never wait".
 */
export function parseDuration(value: unknown): ParsedDuration {
  const invalid: ParsedDuration = {
    ok: false,
    message: 'must be a duration above 0 such as 30m, 6h or 1d (a bare number means hours)',
  };
  if (typeof value === 'number') {
    return Number.isFinite(value) && value > 0 ? { ok: true, ms: value * HOUR_MS } : invalid;
  }
  if (typeof value !== 'string') return invalid;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/.exec(value);
  const amount = Number(match?.[1]);
  const unit = UNIT_MS[match?.[2] ?? ''];
  if (unit === undefined || !(amount > 0)) return invalid;
  return { ok: true, ms: Math.round(amount * unit) };
}
