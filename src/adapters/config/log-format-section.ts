import { isLogFormat, LOG_FORMATS, type LogFormat } from '../logging/logging-settings.js';
import type { FieldProblem } from './joi-problems.js';

// The command line's --log-format takes the same values (cli reads them through config).
export { isLogFormat, type LogFormat };

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
