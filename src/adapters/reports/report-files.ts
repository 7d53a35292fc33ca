import { createHash } from 'node:crypto';
import { join } from 'node:path';

import type { ReportFormat } from './reports-settings.js';

/** One path per format; a run writes only the formats configured, but every name is fixed. */
export type ReportPaths = { readonly [format in ReportFormat]: string };

/**
 * The files of one run of a job: `<dir>/<job>/<UTC yyyymmddThhmmssZ>-<dry|real>.<ext>`, where
 * `startedAt` is the run's start as JobReport.startedAt (and JobStartedEvent.startedAt) give it.
 * Pure, so that another output (a notification) can name a report without asking the writer.
 */
export function reportPaths(
  jobName: string,
  startedAt: Date,
  dryRun: boolean,
  dir: string,
): ReportPaths {
  const base = join(jobFolder(dir, jobName), `${stamp(startedAt)}-${dryRun ? 'dry' : 'real'}`);
  return { json: `${base}.json`, html: `${base}.html`, md: `${base}.md` };
}

/** `<dir>/<job>/latest.<ext>`: replaced atomically at the end of every run of the job. */
export function latestReportPaths(jobName: string, dir: string): ReportPaths {
  const base = join(jobFolder(dir, jobName), 'latest');
  return { json: `${base}.json`, html: `${base}.html`, md: `${base}.md` };
}

/** The folder of one job's reports. */
export function jobFolder(dir: string, jobName: string): string {
  return join(dir, folderName(jobName));
}

/** `20240505T050505Z`: sorts like time, safe in every file system. */
export function stamp(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** A run's file name: the stamp, the kind of run and the extension (what pruning recognises). */
export const RUN_FILE = /^(\d{8}T\d{6}Z-(?:dry|real))\.(json|html|md)$/;

/**
 * A job name as a folder name. Job names are free text: one that is not a plain file name
 * (`/`, `..`, spaces...) gets its unsafe characters replaced and a short hash of the real name
 * appended, so that two names never share a folder and no name escapes `dir`.
 */
function folderName(jobName: string): string {
  if (/^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/.test(jobName)) return jobName;
  const hash = createHash('sha256').update(jobName).digest('hex').slice(0, 8);
  const safe = jobName
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 80);
  return `${safe}-${hash}`;
}
