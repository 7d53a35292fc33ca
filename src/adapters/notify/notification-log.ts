import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { inject, injectable } from 'inversify';
import { Logger } from '../../application/ports/logger.port.js';
import type { SentFailure } from '../../domain/notification-policy.js';
import { writeFileAtomically } from '../shared/files/atomic-write.js';
import { StateDir } from '../shared/files/state-dir.js';

export const NOTIFICATIONS_FILE = 'notifications.json';

/** The last delivery to one target about one job (names, times and counts; never a URL). */
export interface DeliveryRecord {
  readonly at: Date;
  readonly delivered: boolean;
  readonly attempts: number;
  readonly problem?: string;
}

export interface TargetJobRecord {
  readonly lastFailure?: SentFailure;
  readonly lastDelivery?: DeliveryRecord;
}

interface StoredRecord {
  last_failure?: { cause: string; sent_at: string };
  last_delivery?: { at: string; delivered: boolean; attempts: unknown; problem?: string };
}
type Stored = Record<string, Record<string, StoredRecord>>;

/**
 * `<state-dir>/notifications.json`: per target and job, the last failure message sent (so that
 * --watch repeats a failure only every repeat_interval, across restarts) and the last delivery
 * outcome (so that a target that stays down is on record). Replaced atomically; writes queued.
 */
@injectable()
export class FileNotificationLog {
  private stored: Promise<Stored> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    @inject(StateDir) private readonly dir: string,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async get(target: string, job: string): Promise<TargetJobRecord> {
    return fromStored((await this.load())[target]?.[job]);
  }

  /** Applies `change` to one record and writes the file. */
  update(
    target: string,
    job: string,
    change: (record: TargetJobRecord) => TargetJobRecord,
  ): Promise<void> {
    const next = this.queue.then(async () => {
      const stored = await this.load();
      const byJob = (stored[target] ??= {});
      byJob[job] = toStored(change(fromStored(byJob[job])));
      await mkdir(this.dir, { recursive: true });
      await writeFileAtomically(
        this.path(),
        `${JSON.stringify({ version: 1, targets: stored }, null, 2)}\n`,
      );
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private path(): string {
    return join(this.dir, NOTIFICATIONS_FILE);
  }

  private load(): Promise<Stored> {
    this.stored ??= this.read();
    return this.stored;
  }

  private async read(): Promise<Stored> {
    let text: string;
    try {
      text = await readFile(this.path(), 'utf8');
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return {};
      throw error;
    }
    const parsed = parse(text);
    if (parsed !== undefined) return parsed;
    // Losing it costs at most one repeated failure message: move it aside and go on.
    const aside = `${this.path()}.corrupt-${String(Date.now())}`;
    await rename(this.path(), aside).catch(() => undefined);
    this.logger.warn('notification log was unreadable; moved aside', { movedTo: aside });
    return {};
  }
}

function parse(text: string): Stored | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const targets = (value as { targets?: unknown }).targets;
    if (typeof targets !== 'object' || targets === null || Array.isArray(targets)) return undefined;
    return targets as Stored;
  } catch {
    return undefined;
  }
}

function fromStored(stored: StoredRecord | undefined): TargetJobRecord {
  const failure = stored?.last_failure;
  const delivery = stored?.last_delivery;
  const failureAt = failure === undefined ? Number.NaN : Date.parse(failure.sent_at);
  const deliveryAt = delivery === undefined ? Number.NaN : Date.parse(delivery.at);
  return {
    ...(failure !== undefined && typeof failure.cause === 'string' && !Number.isNaN(failureAt)
      ? { lastFailure: { cause: failure.cause, sentAt: new Date(failureAt) } }
      : {}),
    ...(delivery !== undefined && !Number.isNaN(deliveryAt)
      ? {
          lastDelivery: {
            at: new Date(deliveryAt),
            // Read from a file: the types are what we wrote, unless someone edited it.
            delivered: (delivery.delivered as unknown) === true,
            attempts: Number(delivery.attempts) || 0,
            ...(typeof delivery.problem === 'string' ? { problem: delivery.problem } : {}),
          },
        }
      : {}),
  };
}

function toStored(record: TargetJobRecord): StoredRecord {
  const stored: StoredRecord = {};
  if (record.lastFailure !== undefined) {
    stored.last_failure = {
      cause: record.lastFailure.cause,
      sent_at: record.lastFailure.sentAt.toISOString(),
    };
  }
  if (record.lastDelivery !== undefined) {
    const { at, delivered, attempts, problem } = record.lastDelivery;
    stored.last_delivery = {
      at: at.toISOString(),
      delivered,
      attempts,
      ...(problem === undefined ? {} : { problem }),
    };
  }
  return stored;
}
