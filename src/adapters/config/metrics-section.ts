import Joi from 'joi';
import { parseListenAddress, type ListenAddress } from '../metrics/listen-address.js';
import { type FieldProblem, joiProblems, validateWith } from './joi-problems.js';

/** `metrics:` of config.yaml (issue 12); absent = no endpoint. */
export interface MetricsSettings {
  /** Where `--watch` serves /metrics, /healthz and /readyz. */
  readonly listen: ListenAddress;
}

const KEYS = ['listen'] as const;
const schema = Joi.object({ listen: Joi.string().required() });

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
  return { settings: { listen: parsed.address }, problems: [] };
}
