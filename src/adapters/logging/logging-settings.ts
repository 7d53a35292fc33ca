/** `log_format` of config.yaml and `--log-format`: text lines (default) or one JSON object per line. */
export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export function isLogFormat(value: unknown): value is LogFormat {
  return value === 'text' || value === 'json';
}
