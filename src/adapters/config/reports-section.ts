import Joi from 'joi';
import { REPORT_FORMATS } from '../reports/report-files.js';
import { DEFAULT_REPORTS_SETTINGS, type ReportsSettings } from '../reports/reports-settings.js';
import { type FieldProblem, joiProblems, validateWith } from './joi-problems.js';

const KEYS = ['dir', 'formats', 'keep_last', 'base_url'] as const;

interface ValidatedReports {
  readonly dir: string;
  readonly formats: readonly ReportsSettings['formats'][number][];
  readonly keep_last: number;
  readonly base_url?: string;
}

const reportsSchema = Joi.object<ValidatedReports>({
  dir: Joi.string().min(1).default(DEFAULT_REPORTS_SETTINGS.dir),
  formats: Joi.array()
    .items(
      Joi.string()
        .valid(...REPORT_FORMATS)
        .messages({ 'any.only': `must be one of ${REPORT_FORMATS.join(', ')}, got {{#value}}` }),
    )
    .unique()
    .default([...DEFAULT_REPORTS_SETTINGS.formats])
    .messages({ 'array.unique': 'lists {{#value}} twice' }),
  keep_last: Joi.number()
    .integer()
    .min(1)
    .max(100_000)
    .default(DEFAULT_REPORTS_SETTINGS.keepLast)
    .messages({
      'number.min': 'must be a whole number of runs, at least 1, got {{#value}}',
      'number.max': 'must be at most 100000, got {{#value}}',
    }),
  // Checked by baseUrlProblem below: the URL rules say more than joi's uri() would.
  base_url: Joi.string().min(1),
});

export interface ReportsSectionResult {
  readonly settings: ReportsSettings;
  /** Fields are prefixed `reports.` as the user wrote them. */
  readonly problems: readonly FieldProblem[];
}

/**
 * The optional `reports:` section of config.yaml (issue 10): absent or null means the
 * defaults. An unknown format is a configuration problem, so the run stops before any request.
 */
export function parseReportsSection(raw: unknown): ReportsSectionResult {
  if (raw === undefined || raw === null)
    return { settings: DEFAULT_REPORTS_SETTINGS, problems: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      settings: DEFAULT_REPORTS_SETTINGS,
      problems: [
        { field: 'reports', message: 'must be a mapping (dir, formats, keep_last, base_url)' },
      ],
    };
  }
  const { value, error } = validateWith(reportsSchema, raw);
  const problems = joiProblems(error, KEYS).map((problem) => ({
    field: problem.field === '' ? 'reports' : `reports.${problem.field}`,
    message: problem.message,
  }));
  const validated = value as ValidatedReports;
  const baseUrl = validated.base_url === undefined ? undefined : parseBaseUrl(validated.base_url);
  if (typeof baseUrl === 'object') problems.push(baseUrl);
  return {
    settings: {
      dir: validated.dir,
      formats: validated.formats,
      keepLast: validated.keep_last,
      ...(typeof baseUrl === 'string' ? { baseUrl } : {}),
    },
    problems,
  };
}

/**
 * `reports.base_url`: where the reports folder is served, e.g. an artifact store or a static
 * web server. Messages append `/<job>/<file>` to it, so it must be a plain http(s) URL with no
 * query or fragment, and no user:password (messages carry it to chat rooms and mailboxes).
 * Returns the URL without its trailing `/`, or the problem.
 */
function parseBaseUrl(text: string): string | FieldProblem {
  const field = 'reports.base_url';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { field, message: 'must be an absolute http:// or https:// URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { field, message: `must be an http:// or https:// URL, got ${url.protocol}//` };
  }
  if (url.username !== '' || url.password !== '') {
    // No value in the message: it holds a credential.
    return {
      field,
      message: 'must not hold user:password (it is sent in every notification)',
    };
  }
  if (url.search !== '' || url.hash !== '') {
    return {
      field,
      message: 'must not have a ?query or #fragment: report paths are appended to it',
    };
  }
  return url.href.replace(/\/+$/, '');
}
