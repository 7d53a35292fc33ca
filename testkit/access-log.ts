import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** One request as the registry itself logged it. */
export interface AccessLogEntry {
  method: string;
  /** Path with query string, exactly as sent (e.g. `/v2/team/app/tags/list?n=1000`). */
  path: string;
  status: number;
}

// With `log.accesslog.disabled: false`, distribution 2.8 wraps its router in gorilla's
// CombinedLoggingHandler, which writes one Apache "combined" line per request to stdout, after the
// response: `127.0.0.1 - - [26/Nov/2026:21:01:35 +0000] "GET /v2/?a=b HTTP/1.1" 200 2 "" "curl/7.88.1"`.
// Unlike the JSON "response completed" lines on stderr, it also covers requests refused by auth.
const COMBINED_LINE = /^\S+ \S+ \S+ \[[^\]]*\] "(\S+) (\S+) [^"]*" (\d{3}) /;

export function parseAccessLogLine(line: string): AccessLogEntry | undefined {
  const match = COMBINED_LINE.exec(line);
  if (match === null) return undefined;
  const [, method, path, status] = match;
  if (method === undefined || path === undefined || status === undefined) return undefined;
  return { method, path, status: Number(status) };
}

interface Waiter {
  predicate: (entry: AccessLogEntry) => boolean;
  resolve: () => void;
}

/** Collects access-log entries from the registry's stdout and lets callers wait for one. */
export class AccessLogCollector {
  private readonly entries: AccessLogEntry[] = [];
  private readonly waiters = new Set<Waiter>();

  constructor(stdout: Readable) {
    createInterface({ input: stdout, crlfDelay: Infinity }).on('line', (line) => {
      const entry = parseAccessLogLine(line);
      if (entry !== undefined) this.add(entry);
    });
  }

  snapshot(): AccessLogEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** Resolves once an entry matching `predicate` has been logged (including one already seen). */
  waitFor(predicate: (entry: AccessLogEntry) => boolean, timeoutMs: number): Promise<void> {
    if (this.entries.some(predicate)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      // This timer also keeps the event loop alive while waiting: the stdout pipe is unref'd.
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`access-log entry not seen within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.add(waiter);
    });
  }

  private add(entry: AccessLogEntry): void {
    this.entries.push(entry);
    for (const waiter of this.waiters) {
      if (waiter.predicate(entry)) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
