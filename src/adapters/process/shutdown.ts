/** The signals an operator or a container runtime sends to stop us. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Why the process exits without waiting for the run to wind down. */
export type ForcedExitCause = 'second signal' | 'grace period over';

export interface Shutdown {
  /** Aborted on the first signal: no new job, deletion or registry request starts. */
  readonly signal: AbortSignal;
  /** The signal received, if any. */
  received(): StopSignal | undefined;
  dispose(): void;
}

export interface ShutdownOptions {
  /**
   * How long the run may take to wind down after the first signal (requests in flight,
   * state, report, notification) before the process exits anyway.
   */
  readonly graceMs: number;
  /** Exit code used when the grace period runs out or a second signal arrives. */
  readonly forcedExitCode: (signal: StopSignal) => number;
  readonly onFirstSignal: (signal: StopSignal) => void;
  /**
   * Last words before a forced exit, synchronous (nothing asynchronous runs after it): one
   * line for the operator, the history lines of jobs still open, the lock released.
   */
  readonly beforeForcedExit?: (signal: StopSignal, cause: ForcedExitCause) => void;
  readonly exit?: (code: number) => void;
}

/**
 * First SIGINT/SIGTERM: abort the run gracefully and start a bounded grace period.
 * Second signal: exit at once (an operator pressing Ctrl+C twice means it).
 */
export function installShutdown(options: ShutdownOptions): Shutdown {
  const controller = new AbortController();
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let received: StopSignal | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  let exiting = false;

  const forceExit = (signal: StopSignal, cause: ForcedExitCause): void => {
    if (exiting) return;
    exiting = true;
    try {
      options.beforeForcedExit?.(signal, cause);
    } finally {
      exit(options.forcedExitCode(signal));
    }
  };
  const handler = (signal: StopSignal): void => {
    if (received !== undefined) {
      forceExit(signal, 'second signal');
      return;
    }
    received = signal;
    options.onFirstSignal(signal);
    controller.abort(signal);
    graceTimer = setTimeout(() => {
      forceExit(signal, 'grace period over');
    }, options.graceMs);
    // The grace timer must not keep an otherwise finished process alive.
    graceTimer.unref();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    received: () => received,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      if (graceTimer !== undefined) clearTimeout(graceTimer);
    },
  };
}
