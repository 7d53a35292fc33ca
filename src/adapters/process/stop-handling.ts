import type { Logger } from '../../application/ports/logger.port.js';
import {
  installShutdown,
  type Shutdown,
  type ShutdownOptions,
  type StopSignal,
} from './shutdown.js';

/**
 * How long a run may take to wind down after SIGINT/SIGTERM (requests in flight, state, report,
 * the interrupted-run notification) before the process exits anyway: within 5 s of the signal,
 * far inside Kubernetes' default 30 s grace period (README, "Signals").
 */
export const STOP_GRACE_MS = 4_500;

/** What stopping needs of the state files, synchronously (FileStateStore). */
export interface OpenJobs {
  openJobs(): readonly string[];
  endOpenJobsNow(at: Date, why: string): void;
}

export interface StopHandlingOptions {
  readonly watch: boolean;
  /** 128 + the signal's number (exit-codes.ts decides exit codes). */
  readonly interruptedExitCode: (signal: StopSignal) => number;
  readonly logger: Logger;
  /** The state lock, released before a forced exit. */
  readonly lock?: { release(): void };
  readonly graceMs?: number;
  /** Tests: the clock, stderr and process.exit. */
  readonly now?: () => Date;
  readonly write?: (line: string) => void;
  readonly exit?: ShutdownOptions['exit'];
}

export interface StopHandling {
  readonly shutdown: Shutdown;
  /** The state files, once the container exists: which jobs are open at a signal. */
  follow(jobs: OpenJobs): void;
  /**
   * The exit code of a run stopped by `signal`: 128 + its number, or 0 for a watch that was
   * between runs when the signal came (nothing was cut short).
   */
  exitCode(signal: StopSignal): number;
}

/**
 * SIGINT/SIGTERM as the CLI handles them (issue 27 item 2). The first: no registry request goes
 * out any more, the run winds down, the process exits within the grace period. A second, or
 * the grace period over: one line on stderr, an `interrupted` history line for each job still
 * open, the lock released, exit at once.
 */
export function installStopHandling(options: StopHandlingOptions): StopHandling {
  const graceMs = options.graceMs ?? STOP_GRACE_MS;
  const now = options.now ?? ((): Date => new Date());
  const write =
    options.write ??
    ((line: string): void => {
      process.stderr.write(line);
    });
  let jobs: OpenJobs | undefined;
  let busyAtSignal = !options.watch;
  const exitCode = (signal: StopSignal): number =>
    busyAtSignal ? options.interruptedExitCode(signal) : 0;
  const shutdown = installShutdown({
    graceMs,
    forcedExitCode: exitCode,
    onFirstSignal: (signal) => {
      busyAtSignal ||= (jobs?.openJobs().length ?? 0) > 0;
      options.logger.warn(
        `${signal} received: finishing the requests in flight, sending no new ones`,
        {
          exitWithinSeconds: graceMs / 1000,
        },
      );
    },
    beforeForcedExit: (signal, cause) => {
      const open = jobs?.openJobs() ?? [];
      const why =
        cause === 'second signal'
          ? `second ${signal}`
          : `still busy ${String(graceMs / 1000)} s after ${signal}`;
      jobs?.endOpenJobsNow(now(), `${why}: exited at once`);
      options.lock?.release();
      const interrupted = open.length === 0 ? '' : `; interrupted: ${open.join(', ')}`;
      write(`reg-cleaner: ${why}: exiting now${interrupted}\n`);
    },
    ...(options.exit === undefined ? {} : { exit: options.exit }),
  });
  return {
    shutdown,
    follow: (followed) => {
      jobs = followed;
    },
    exitCode,
  };
}
