/** What the progress display and the progress log line show about the runs under way. */
export interface ProgressFigures {
  readonly repositoriesDone: number;
  readonly repositoriesTotal: number;
  /** Tags whose digest and date were resolved and decided on (repositories done so far). */
  readonly tags: number;
  /** Requests sent since the display started, retries and token requests included. */
  readonly requests: number;
  /** Tags deleted, or that a dry run would delete. */
  readonly deleted: number;
  readonly dryRun: boolean;
  readonly elapsedMs: number;
}

/** `1:05`, `1:02:03`. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}`
    : `${minutes}:${seconds}`;
}

/** The counts part of both the live line and the log line. */
export function describeFigures(figures: ProgressFigures): string {
  const deleted = figures.dryRun ? 'would delete' : 'deleted';
  return (
    `${figures.repositoriesDone}/${figures.repositoriesTotal} repositories, ` +
    `${figures.tags} tags, ${figures.requests} requests, ${deleted} ${figures.deleted}, ` +
    `${formatClock(figures.elapsedMs)} elapsed`
  );
}

/**
 * The live line, most telling first so that a narrow terminal cuts the least: repositories
 * done, a bar, the time left estimated from the repositories done so far (unknown until the
 * first one is done), then elapsed time, tags, requests and deletions.
 */
export function liveLine(
  figures: ProgressFigures,
  bar: { readonly progress: number; readonly size: number; readonly etaSeconds: number | string },
): string {
  const filled = Math.round(bar.progress * bar.size);
  const drawn = `[${'#'.repeat(filled)}${'-'.repeat(bar.size - filled)}]`;
  const eta =
    figures.repositoriesDone > 0 &&
    typeof bar.etaSeconds === 'number' &&
    Number.isFinite(bar.etaSeconds)
      ? formatClock(bar.etaSeconds * 1000)
      : '?';
  const deleted = figures.dryRun ? 'would delete' : 'deleted';
  return (
    `${figures.repositoriesDone}/${figures.repositoriesTotal} repositories ${drawn} ETA ${eta}, ` +
    `${formatClock(figures.elapsedMs)} elapsed, ${figures.tags} tags, ` +
    `${figures.requests} requests, ${deleted} ${figures.deleted}`
  );
}
