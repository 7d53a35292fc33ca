import { writeFileSync } from 'node:fs';
import type { RequestCounts, RequestStats } from '../shared/http/request-stats.js';

/**
 * What the benchmark reads of a finished process (bench/README.md): requests by kind as this
 * process counted them, retries, and peak memory. Internal: set REG_CLEANER_STATS_FILE to a path.
 */
export interface ProcessStats {
  readonly requests: RequestCounts;
  readonly retries: number;
  /** Peak resident set size of the process, in bytes. */
  readonly maxRssBytes: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
}

export const STATS_FILE_VARIABLE = 'REG_CLEANER_STATS_FILE';

export function processStats(stats: RequestStats): ProcessStats {
  const usage = process.resourceUsage();
  return {
    requests: stats.snapshot(),
    retries: stats.retries,
    maxRssBytes: usage.maxRSS * 1024,
    cpuUserMs: Math.round(usage.userCPUTime / 1000),
    cpuSystemMs: Math.round(usage.systemCPUTime / 1000),
  };
}

/** Writes the stats when the variable names a file; a failure to write never changes the run. */
export function writeStatsFile(
  env: Readonly<Record<string, string | undefined>>,
  stats: RequestStats | undefined,
): void {
  const path = env[STATS_FILE_VARIABLE];
  if (path === undefined || path === '' || stats === undefined) return;
  try {
    writeFileSync(path, `${JSON.stringify(processStats(stats))}\n`);
  } catch {
    // Benchmark instrumentation only.
  }
}
