/** Structured fields attached to a log line. Never put a secret in them. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** Application log (logs/cleaner.log and the console). */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}
export const Logger = Symbol('Logger');
