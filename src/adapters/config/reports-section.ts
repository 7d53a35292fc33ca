import Joi from 'joi';
import {
  DEFAULT_REPORTS_SETTINGS,
  REPORT_FORMATS,
  type ReportsSettings,
} from '../reports/reports-settings.js';
import { type FieldProblem, joiProblems, validateWith } from './joi-problems.js';

const KEYS = ['dir', 'formats', 'keep_last'] as const;

interface ValidatedReports {
  readonly dir: string;
  readonly formats: readonly ReportsSettings['formats'][number][];
  readonly keep_last: number;
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
      problems: [{ field: 'reports', message: 'must be a mapping (dir, formats, keep_last)' }],
    };
  }
  const { value, error } = validateWith(reportsSchema, raw);
  const problems = joiProblems(error, KEYS).map((problem) => ({
    field: problem.field === '' ? 'reports' : `reports.${problem.field}`,
    message: problem.message,
  }));
  const validated = value as ValidatedReports;
  return {
    settings: {
      dir: validated.dir,
      formats: validated.formats,
      keepLast: validated.keep_last,
    },
    problems,
  };
}
