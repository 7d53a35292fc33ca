import Joi from 'joi';
import { parseListenAddress, type MetricsSettings } from '../metrics/metrics-settings.js';
import { type FieldProblem, joiProblems, validateWith } from './joi-problems.js';

const KEYS = ['listen', 'reports'] as const;
const schema = Joi.object({
  listen: Joi.string().required(),
  // The watch page shows repository and tag names to whoever reaches the port: on by choice.
  reports: Joi.boolean(),
});

export interface MetricsSectionResult {
  readonly settings: MetricsSettings | undefined;
  readonly problems: readonly FieldProblem[];
}

/** The `metrics` value of config.yaml (after YAML parsing) -> settings, or the problems found. */
export function parseMetricsSection(raw: unknown): MetricsSectionResult {
  if (raw === undefined || raw === null) return { settings: undefined, problems: [] };
  const { value, error } = validateWith(schema, raw);
  const problems = joiProblems(error, KEYS).map((problem) => ({
    field: problem.field === '' ? 'metrics' : `metrics.${problem.field}`,
    message:
      problem.field === '' ? 'must be a mapping, e.g. { listen: 127.0.0.1:9464 }' : problem.message,
  }));
  if (problems.length > 0) return { settings: undefined, problems };
  const parsed = parseListenAddress((value as { listen: string }).listen);
  if (!parsed.ok) {
    return {
      settings: undefined,
      problems: [{ field: 'metrics.listen', message: parsed.message }],
    };
  }
  const reports = (value as { reports?: boolean }).reports === true;
  return {
    settings: { listen: parsed.address, ...(reports ? { reports } : {}) },
    problems: [],
  };
}
