import type { ReportFormat } from './report-files.js';

/** The `reports:` section of config.yaml, with `--reports-dir` applied. */
export interface ReportsSettings {
  /** Relative to the working folder (like cache/ and logs/), unless absolute. */
  readonly dir: string;
  /** Empty: no report files at all. */
  readonly formats: readonly ReportFormat[];
  /** Runs kept per job (every format of a run counts as one); older ones are removed. */
  readonly keepLast: number;
  /** GITHUB_STEP_SUMMARY: the Markdown report is appended there too (when md is a format). */
  readonly stepSummaryFile?: string;
  /**
   * Where the reports folder is published (`reports.base_url`), ending without `/`: messages
   * link to `<base_url>/<job folder>/<file>`. Absent: messages give the file's path only.
   */
  readonly baseUrl?: string;
}
export const ReportsSettings = Symbol('ReportsSettings');

/** What applies when config.yaml has no `reports:` section. */
export const DEFAULT_REPORTS_SETTINGS: ReportsSettings = {
  dir: 'reports',
  formats: ['json', 'html'],
  keepLast: 30,
};
