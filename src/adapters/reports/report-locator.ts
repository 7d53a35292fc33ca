import { relative, sep } from 'node:path';
import type { ReportLocation, ReportLocator } from '../shared/report-location.js';
import { reportPaths, type ReportFormat } from './report-files.js';
import type { ReportsSettings } from './reports-settings.js';

/** The format a person opens first: the HTML page, else the Markdown, else the JSON. */
const READING_ORDER: readonly ReportFormat[] = ['html', 'md', 'json'];

/** Names a run's report the way ReportFilesObserver writes it. */
export function reportLocator(settings: ReportsSettings): ReportLocator {
  return {
    locate(jobName, startedAt, dryRun): ReportLocation | undefined {
      const format = READING_ORDER.find((candidate) => settings.formats.includes(candidate));
      if (format === undefined) return undefined;
      const path = reportPaths(jobName, startedAt, dryRun, settings.dir)[format];
      if (settings.baseUrl === undefined) return { path };
      return { path, url: `${settings.baseUrl}/${urlPath(relative(settings.dir, path))}` };
    },
  };
}

/** Folder and file names escaped one by one (a job folder may hold `%`). */
function urlPath(relativePath: string): string {
  return relativePath.split(sep).map(encodeURIComponent).join('/');
}
