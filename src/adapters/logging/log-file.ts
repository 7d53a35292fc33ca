import { closeSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs';

/**
 * `cleaner.log`, appended through one descriptor kept open, and rotated by size
 * (`cleaner.log` -> `cleaner.log.1` ... `.N`, the oldest dropped), as log4js' `fileSync`
 * appender rotates it. That appender opened and closed the file for every line
 * (`appendFileSync`): about 70 µs of CPU per line, and a dry run logs one line per tag, in a
 * burst per repository while no request is refilled (issue 25). Lines logged in one stretch of
 * synchronous code are written together when it ends (a microtask), in one synchronous write
 * per file: a dry run's burst of a hundred decision lines was a hundred `write` syscalls. A line
 * is in the page cache before any I/O callback or timer runs, and `flush()` (called on exit and
 * by close) writes what is pending, so a process that exits or throws loses no line; only a
 * SIGKILL in the middle of a stretch loses that stretch's lines, as it would have a moment
 * earlier.
 */
export class LogFile {
  private fd: number;
  private size: number;
  private pending: string[] = [];
  private flushQueued = false;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
    private readonly backups: number,
  ) {
    this.fd = openLog(path);
    this.size = fstatSync(this.fd).size;
  }

  /** Queues one or more whole lines; they are written when the current stretch of code ends. */
  write(text: string): void {
    this.pending.push(text);
    if (this.flushQueued) return;
    this.flushQueued = true;
    openFiles.add(this);
    queueMicrotask(() => {
      this.flush();
    });
  }

  /** Writes the pending lines now, rolling the file between lines as each one requires. */
  flush(): void {
    this.flushQueued = false;
    openFiles.delete(this);
    const lines = this.pending;
    if (lines.length === 0) return;
    this.pending = [];
    let chunk: string[] = [];
    let chunkBytes = 0;
    for (const line of lines) {
      // As log4js did: a file that reached the limit rolls before the next line, not within one.
      if (this.size + chunkBytes >= this.maxBytes) {
        this.append(chunk);
        chunk = [];
        chunkBytes = 0;
        this.rotate();
      }
      chunk.push(line);
      chunkBytes += Buffer.byteLength(line, 'utf8');
    }
    this.append(chunk);
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private append(lines: readonly string[]): void {
    if (lines.length === 0) return;
    const bytes = Buffer.from(lines.join(''), 'utf8');
    let written = 0;
    while (written < bytes.length) {
      written += writeSync(this.fd, bytes, written, bytes.length - written);
    }
    this.size += bytes.length;
  }

  private rotate(): void {
    closeSync(this.fd);
    for (let index = this.backups - 1; index >= 1; index -= 1) {
      renameIfPresent(`${this.path}.${String(index)}`, `${this.path}.${String(index + 1)}`);
    }
    if (this.backups >= 1) renameIfPresent(this.path, `${this.path}.1`);
    // No backups: the file starts over ('w' truncates).
    this.fd = this.backups >= 1 ? openLog(this.path) : openSync(this.path, 'w', FILE_MODE);
    this.size = 0;
  }
}

/** Files with lines not written yet: an exit (even process.exit() mid-stretch) writes them. */
const openFiles = new Set<LogFile>();
process.once('exit', () => {
  for (const file of [...openFiles]) file.flush();
});

/** Readable by its owner only, as log4js created it: the log names registries and repositories. */
const FILE_MODE = 0o600;

function openLog(path: string): number {
  return openSync(path, 'a', FILE_MODE);
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

let cachedMinute = Number.NaN;
let cachedPrefix = '';
let cachedOffset = '';

/**
 * `yyyy-MM-ddThh:mm:ss.SSS` in local time plus the offset (`Z`, `+01:00`): log4js'
 * ISO8601_WITH_TZ_OFFSET. The date, hour, minute and offset are worked out once per minute
 * (offsets change on minute boundaries); log4js' date formatting of each line cost 25 µs.
 */
export function localTimeWithOffset(date: Date): string {
  const ms = date.getTime();
  const minute = Math.floor(ms / 60_000);
  if (minute !== cachedMinute) {
    cachedMinute = minute;
    const start = new Date(minute * 60_000);
    cachedPrefix =
      `${String(start.getFullYear())}-${two(start.getMonth() + 1)}-${two(start.getDate())}` +
      `T${two(start.getHours())}:${two(start.getMinutes())}:`;
    cachedOffset = offsetOf(start.getTimezoneOffset());
  }
  const within = ms - minute * 60_000;
  const seconds = Math.floor(within / 1000);
  const millis = within - seconds * 1000;
  return `${cachedPrefix}${two(seconds)}.${String(millis).padStart(3, '0')}${cachedOffset}`;
}

function two(value: number): string {
  return value < 10 ? `0${String(value)}` : String(value);
}

/** Date#getTimezoneOffset (minutes behind UTC) as `Z` or `+hh:mm`, as log4js writes it. */
function offsetOf(timezoneOffset: number): string {
  if (timezoneOffset === 0) return 'Z';
  const minutes = Math.abs(timezoneOffset);
  const sign = timezoneOffset < 0 ? '+' : '-';
  return `${sign}${two(Math.floor(minutes / 60))}:${two(minutes % 60)}`;
}
