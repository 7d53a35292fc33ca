import { inject, injectable } from 'inversify';
import { Logger } from '../../application/ports/logger.port.js';
import type {
  DeletionAnsweredEvent,
  JobStartedEvent,
  RepositoryFinishedEvent,
  RunObserver,
} from '../../application/ports/run-observer.port.js';
import { consoleLines, type ConsoleLines } from '../shared/text/console-lines.js';
import { RequestStats } from '../shared/http/request-stats.js';
import { LiveProgress, type TerminalStream } from './live-progress.js';
import { describeFigures, type ProgressFigures } from './progress-figures.js';

/** Where progress goes and how time passes: process.stderr and real timers in production. */
export interface ProgressTerminal {
  readonly stream: TerminalStream;
  readonly lines: ConsoleLines;
  /** Calls `tick` every `ms` until cancelled. */
  every(ms: number, tick: () => void): { cancel(): void };
  now(): number;
}
export const ProgressTerminal = Symbol('ProgressTerminal');

/** Without a terminal, one progress line this often, and none for runs shorter than that. */
export const LOG_EVERY_MS = 10_000;

/** The process's own terminal: stderr, its console lines, real timers. */
export const processTerminal: ProgressTerminal = {
  stream: process.stderr,
  lines: consoleLines,
  every: (ms, tick) => {
    const timer = setInterval(tick, ms);
    // Progress never keeps the process alive.
    timer.unref();
    return {
      cancel: () => {
        clearInterval(timer);
      },
    };
  },
  now: () => Date.now(),
};

interface Progress {
  readonly startedAt: number;
  readonly requestsAtStart: number;
  done: number;
  total: number;
  tags: number;
  /** Tags deleted in finished repositories. */
  deleted: number;
  /** Tags deleted so far in repositories still running, by job and repository. */
  readonly deleting: Map<string, number>;
  dryRun: boolean;
  live: LiveProgress | undefined;
  readonly ticker: { cancel(): void } | undefined;
}

/**
 * Progress of the runs under way: on a terminal, a live line on stderr (repositories done of
 * total, tags, requests, deletions, elapsed time, ETA) that is gone when the runs end;
 * elsewhere, a log line every 10 s. Jobs that run at once share one display.
 */
@injectable()
export class ProgressObserver implements RunObserver {
  private active = 0;
  private progress: Progress | undefined;

  constructor(
    @inject(Logger) private readonly logger: Logger,
    @inject(RequestStats) private readonly requests: RequestStats,
    @inject(ProgressTerminal) private readonly terminal: ProgressTerminal,
  ) {}

  jobStarted(event: JobStartedEvent): Promise<void> {
    this.active += 1;
    const progress = this.progress ?? this.begin();
    progress.total += event.repositories;
    progress.dryRun = event.dryRun;
    if (progress.live !== undefined) progress.live.progress(progress.done, progress.total);
    else if (this.terminal.stream.isTTY === true) this.show(progress);
    return Promise.resolve();
  }

  repositoryFinished(event: RepositoryFinishedEvent): Promise<void> {
    const progress = this.progress;
    if (progress === undefined) return Promise.resolve();
    progress.done += 1;
    progress.tags += event.summary.examined;
    // The summary's count replaces the one kept while the repository ran.
    progress.deleting.delete(deletingKey(event.jobName, event.summary.repository));
    progress.deleted += event.summary.deleted;
    progress.live?.progress(progress.done, progress.total);
    return Promise.resolve();
  }

  deletionAnswered(event: DeletionAnsweredEvent): Promise<void> {
    const deleting = this.progress?.deleting;
    if (deleting === undefined) return Promise.resolve();
    const key = deletingKey(event.jobName, event.repository);
    deleting.set(key, (deleting.get(key) ?? 0) + event.tags);
    return Promise.resolve();
  }

  jobFinished(): Promise<void> {
    this.active = Math.max(0, this.active - 1);
    if (this.active === 0) this.end();
    return Promise.resolve();
  }

  private begin(): Progress {
    const tty = this.terminal.stream.isTTY === true;
    const progress: Progress = {
      startedAt: this.terminal.now(),
      requestsAtStart: this.requests.total,
      done: 0,
      total: 0,
      tags: 0,
      deleted: 0,
      deleting: new Map(),
      dryRun: false,
      live: undefined,
      ticker: tty
        ? undefined
        : this.terminal.every(LOG_EVERY_MS, () => {
            this.logger.info(`progress: ${describeFigures(this.figures())}`);
          }),
    };
    this.progress = progress;
    return progress;
  }

  /** Drawn once the first job said how many repositories it has. */
  private show(progress: Progress): void {
    progress.live = new LiveProgress(this.terminal.stream, () => this.figures(), progress.total);
    this.terminal.lines.show(progress.live);
  }

  private end(): void {
    const progress = this.progress;
    this.progress = undefined;
    progress?.ticker?.cancel();
    if (progress?.live !== undefined) {
      this.terminal.lines.hide(progress.live);
      progress.live.stop();
    }
  }

  private figures(): ProgressFigures {
    const progress = this.progress;
    return {
      repositoriesDone: progress?.done ?? 0,
      repositoriesTotal: progress?.total ?? 0,
      tags: progress?.tags ?? 0,
      requests: this.requests.total - (progress?.requestsAtStart ?? this.requests.total),
      deleted: (progress?.deleted ?? 0) + sum(progress?.deleting.values() ?? []),
      dryRun: progress?.dryRun ?? false,
      elapsedMs: this.terminal.now() - (progress?.startedAt ?? this.terminal.now()),
    };
  }
}

function deletingKey(jobName: string, repository: string): string {
  return `${jobName}\u0000${repository}`;
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
