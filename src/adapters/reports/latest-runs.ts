import { access } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { LatestRun, LatestRuns } from '../shared/latest-runs.js';
import { reportContentSecurityPolicy } from './html-report.js';
import { readReportEnds } from './json-report-file.js';
import { latestReportPaths } from './report-files.js';
import type { ReportFormat, ReportsSettings } from './reports-settings.js';

/** The format a person opens first (as report-locator.ts links it). */
const READING_ORDER: readonly ReportFormat[] = ['html', 'md', 'json'];

/**
 * Each job's last run, read from `<dir>/<job>/latest.json` (its first and last lines only),
 * with a link to the `latest.*` file a person reads. Without the json format there is no
 * latest.json: the job then shows no run.
 */
export function reportsLatestRuns(settings: ReportsSettings): LatestRuns {
  return {
    folder: settings.dir,
    reportPolicy: reportContentSecurityPolicy(),
    async latest(jobNames) {
      const runs = new Map<string, LatestRun>();
      for (const jobName of jobNames) {
        const run = await latestRun(settings, jobName).catch(() => undefined);
        if (run !== undefined) runs.set(jobName, run);
      }
      return runs;
    },
  };
}

async function latestRun(settings: ReportsSettings, jobName: string): Promise<LatestRun> {
  const paths = latestReportPaths(jobName, settings.dir);
  const { head, tail } = await readReportEnds(paths.json);
  const readable = await firstExisting(
    READING_ORDER.filter((format) => settings.formats.includes(format)).map(
      (format) => paths[format],
    ),
  );
  const untagged = (tail.summary as { readonly untagged?: unknown }).untagged;
  return {
    startedAt: new Date(head.startedAt),
    finishedAt: new Date(tail.finishedAt),
    dryRun: head.dryRun,
    status: tail.status,
    deleted: tail.summary.deleted,
    kept: tail.summary.kept,
    failed: tail.summary.failed,
    // Counted since schema version 2 (`shared_digest: untag`, issue 21); older reports lack it.
    ...(typeof untagged === 'number' ? { untagged } : {}),
    report: relative(settings.dir, readable ?? paths.json)
      .split(sep)
      .join('/'),
  };
}

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) {
    if (
      await access(path).then(
        () => true,
        () => false,
      )
    )
      return path;
  }
  return undefined;
}
