import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { injectable } from 'inversify';
import log4js from 'log4js';
import type { LogFields, Logger } from '../../application/ports/logger.port.js';
import { redact, redactField } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LoggingOptions {
  /** Folder of cleaner.log (created when missing). */
  readonly logsDir: string;
  /** `--dry-run`: log at debug level. Ignored when `level` is given. */
  readonly debug?: boolean;
  readonly level?: LogLevel;
  /** Also log to stderr (default true); stdout is kept for the report. */
  readonly console?: boolean;
}

const CATEGORY = 'reg-cleaner';
/** Rotate at 10 MiB, keep 5 old files: a watch container runs for months. */
const MAX_LOG_BYTES = 10 * 1024 * 1024;
const BACKUPS = 5;

/**
 * Configures log4js once for the process: `<logsDir>/cleaner.log` (rotated by size) and
 * stderr. Returns the logger to hand to the container.
 */
export function configureLogging(options: LoggingOptions): Logger {
  mkdirSync(options.logsDir, { recursive: true });
  const level = options.level ?? (options.debug === true ? 'debug' : 'info');
  const appenders: Record<string, log4js.Appender> = {
    file: {
      type: 'file',
      filename: join(options.logsDir, 'cleaner.log'),
      maxLogSize: MAX_LOG_BYTES,
      backups: BACKUPS,
      keepFileExt: true,
      layout: { type: 'pattern', pattern: '%d{ISO8601_WITH_TZ_OFFSET} %-5p %m' },
    },
  };
  if (options.console !== false) {
    appenders.stderr = {
      type: 'stderr',
      layout: { type: 'pattern', pattern: '%d{ISO8601} %-5p %m' },
    };
    // The console never shows debug lines: a dry run's decisions are the table on stdout,
    // and printing each again on stderr doubled the output (the file keeps them).
    appenders.console = { type: 'logLevelFilter', appender: 'stderr', level: 'info' };
  }
  log4js.configure({
    appenders,
    categories: {
      default: { appenders: Object.keys(appenders).filter((name) => name !== 'stderr'), level },
    },
  });
  return new Log4jsLogger();
}

/** Flushes and closes the log files; call before the process exits. */
export function shutdownLogging(): Promise<void> {
  return new Promise((resolve) => {
    // A failure to flush a log must not change the exit code of the run it describes.
    log4js.shutdown(() => {
      resolve();
    });
  });
}

/** The Logger port over log4js: a message plus `key=value` fields, always redacted. */
@injectable()
export class Log4jsLogger implements Logger {
  private readonly logger = log4js.getLogger(CATEGORY);

  debug(message: string, fields?: LogFields): void {
    if (this.logger.isDebugEnabled()) this.logger.debug(render(message, fields));
  }

  info(message: string, fields?: LogFields): void {
    this.logger.info(render(message, fields));
  }

  warn(message: string, fields?: LogFields): void {
    this.logger.warn(render(message, fields));
  }

  error(message: string, fields?: LogFields): void {
    this.logger.error(render(message, fields));
  }
}

/** `message key=value key2="with space"`, every part redacted. Exported for tests. */
export function render(message: string, fields?: LogFields): string {
  const parts = [redact(message)];
  for (const [key, raw] of Object.entries(fields ?? {})) {
    const value = redactField(key, raw);
    if (value === undefined) continue;
    const text = String(value);
    parts.push(`${key}=${text === '' || /[\s"=]/.test(text) ? JSON.stringify(text) : text}`);
  }
  return parts.join(' ');
}
