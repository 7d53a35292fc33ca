import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { injectable } from 'inversify';
import log4js from 'log4js';
import type { LogFields, Logger } from '../../application/ports/logger.port.js';
import { consoleLines, type TextSink } from '../shared/text/console-lines.js';
import { redact, redactField } from '../shared/secrets/redact.js';
import { LogFile, localTimeWithOffset } from './log-file.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** `text`: `time LEVEL message key=value`; `json`: one object per line (log_format). */
export type LogLineFormat = 'text' | 'json';

export interface LoggingOptions {
  /** Folder of cleaner.log (created when missing). */
  readonly logsDir: string;
  /** `--dry-run` (alias `--debug`): log at debug level. Ignored when `level` is given. */
  readonly dryRun?: boolean;
  readonly level?: LogLevel;
  /** Also log to stderr (default true); stdout is kept for the report. */
  readonly console?: boolean;
  /** Layout of the file and console lines (default text). */
  readonly format?: LogLineFormat;
  /** Where console lines go (default: stderr, through the live progress display). */
  readonly consoleSink?: TextSink;
}

const CATEGORY = 'reg-cleaner';
/** Rotate at 10 MiB, keep 5 old files: a watch container runs for months. */
const MAX_LOG_BYTES = 10 * 1024 * 1024;
const BACKUPS = 5;
const JSON_LAYOUT = 'reg-cleaner-json';

/**
 * Configures log4js once for the process: `<logsDir>/cleaner.log` (rotated by size) and
 * stderr. Returns the logger to hand to the container.
 */
export function configureLogging(options: LoggingOptions): Logger {
  mkdirSync(options.logsDir, { recursive: true });
  const level = options.level ?? (options.dryRun === true ? 'debug' : 'info');
  const json = options.format === 'json';
  if (json) log4js.addLayout(JSON_LAYOUT, () => jsonLine);
  const layout = (timeFormat: string): log4js.Layout =>
    json
      ? { type: JSON_LAYOUT }
      : { type: 'pattern', pattern: `%d{${timeFormat}} %-5p %x{line}`, tokens: { line: textOf } };
  const appenders: Record<string, log4js.Appender> = {
    // Written synchronously, line by line, to a descriptor kept open (log-file.ts). log4js'
    // asynchronous 'file' appender waits for each line's write to complete before it starts
    // the next and ignores backpressure, so a run that logs faster than that (a dry run logs
    // every decision) queued lines in memory: 54,000 pending writes held in a 100,000-tag run,
    // peak RSS growing with the run (443 MB at 1,000,000 tags), and the lines lost if the
    // process died. Its 'fileSync' appender opened and closed the file for every line.
    file: {
      type: fileAppender(
        new LogFile(join(options.logsDir, 'cleaner.log'), MAX_LOG_BYTES, BACKUPS),
        json ? jsonLine : textLine,
      ),
    },
  };
  if (options.console !== false) {
    const sink = options.consoleSink ?? process.stderr;
    appenders.stderr = {
      type: consoleAppender(sink),
      layout: layout('ISO8601'),
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

/**
 * log4js's stderr appender, but each line passes through ConsoleLines so that a live progress
 * display on the same terminal steps aside instead of being torn by the line.
 */
function consoleAppender(sink: TextSink): log4js.AppenderModule {
  return {
    configure: (config: { layout?: log4js.Layout }, layouts: log4js.LayoutsParam) => {
      const layout = config.layout ?? { type: 'basic' };
      const render = layouts.layout(layout.type, layout as unknown as log4js.PatternToken);
      return (event: log4js.LoggingEvent) => {
        consoleLines.write(sink, `${render(event)}\n`);
      };
    },
  } as unknown as log4js.AppenderModule;
}

/** The log file's appender: each event rendered by `render` and written as one line. */
function fileAppender(
  file: LogFile,
  render: (event: log4js.LoggingEvent) => string,
): log4js.AppenderModule {
  return {
    configure: () => {
      const appender = (event: log4js.LoggingEvent): void => {
        file.write(`${render(event)}\n`);
      };
      // log4js.shutdown() calls it.
      appender.shutdown = (done: () => void): void => {
        file.close();
        done();
      };
      return appender;
    },
  };
}

/** `time LEVEL message key=value`, the time with the local offset (log4js' `%d{ISO8601_WITH_TZ_OFFSET} %-5p`). */
function textLine(event: log4js.LoggingEvent): string {
  return `${localTimeWithOffset(event.startTime)} ${event.level.levelStr.padEnd(5)} ${textOf(event)}`;
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

/** The Logger port over log4js: a message plus fields, always redacted before any layout. */
@injectable()
export class Log4jsLogger implements Logger {
  private readonly logger = log4js.getLogger(CATEGORY);

  debug(message: string, fields?: LogFields): void {
    if (this.logger.isDebugEnabled()) this.logger.debug(redact(message), redactedFields(fields));
  }

  info(message: string, fields?: LogFields): void {
    this.logger.info(redact(message), redactedFields(fields));
  }

  warn(message: string, fields?: LogFields): void {
    this.logger.warn(redact(message), redactedFields(fields));
  }

  error(message: string, fields?: LogFields): void {
    this.logger.error(redact(message), redactedFields(fields));
  }
}

type Fields = Readonly<Record<string, string | number | boolean>>;

/** Every field redacted (a secret-named key loses its value); undefined fields dropped. */
function redactedFields(fields: LogFields | undefined): Fields {
  const result: Record<string, string | number | boolean> = {};
  for (const [key, raw] of Object.entries(fields ?? {})) {
    const value = redactField(key, raw);
    if (value !== undefined) result[key] = value;
  }
  return result;
}

/** `message key=value key2="with space"`, every part redacted. Exported for tests. */
export function render(message: string, fields?: LogFields): string {
  return formatText(redact(message), redactedFields(fields));
}

function formatText(message: string, fields: Fields): string {
  const parts = [message];
  for (const [key, value] of Object.entries(fields)) {
    const text = String(value);
    parts.push(`${key}=${text === '' || /[\s"=]/.test(text) ? JSON.stringify(text) : text}`);
  }
  return parts.join(' ');
}

/** What Log4jsLogger handed to log4js: the (redacted) message and fields. */
function partsOf(event: log4js.LoggingEvent): { message: string; fields: Fields } {
  const [message, fields] = event.data as [unknown, unknown];
  return {
    message: typeof message === 'string' ? message : redact(String(message)),
    fields: typeof fields === 'object' && fields !== null ? (fields as Fields) : {},
  };
}

function textOf(event: log4js.LoggingEvent): string {
  const { message, fields } = partsOf(event);
  return formatText(message, fields);
}

/**
 * One JSON object per line: `time`, `level`, `msg`, then the fields (job, repository, tag...).
 * A field named like one of the three is kept under `field_<name>` rather than lost.
 */
export function jsonLine(event: log4js.LoggingEvent): string {
  const { message, fields } = partsOf(event);
  const line: Record<string, string | number | boolean> = {
    time: event.startTime.toISOString(),
    level: event.level.levelStr.toLowerCase(),
    msg: message,
  };
  for (const [key, value] of Object.entries(fields)) {
    line[Object.hasOwn(line, key) ? `field_${key}` : key] = value;
  }
  return JSON.stringify(line);
}
