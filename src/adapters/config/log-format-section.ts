import type { FieldProblem } from './joi-problems.js';

/** `log_format` of config.yaml and `--log-format`: text lines (default) or one JSON object per line. */
export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export function isLogFormat(value: unknown): value is LogFormat {
  return value === 'text' || value === 'json';
}

export interface LogFormatResult {
  readonly format: LogFormat | undefined;
  readonly problems: readonly FieldProblem[];
}

/** The `log_format` value of config.yaml; absent means the default (text). */
export function parseLogFormat(raw: unknown): LogFormatResult {
  if (raw === undefined || raw === null) return { format: undefined, problems: [] };
  if (isLogFormat(raw)) return { format: raw, problems: [] };
  return {
    format: undefined,
    problems: [{ field: 'log_format', message: `must be one of ${LOG_FORMATS.join(', ')}` }],
  };
}
