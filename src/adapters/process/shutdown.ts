/** The signals an operator or a container runtime sends to stop us. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface Shutdown {
  /** Aborted on the first signal: no new job or deletion starts. */
  readonly signal: AbortSignal;
  /** The signal received, if any. */
  received(): StopSignal | undefined;
  dispose(): void;
}

export interface ShutdownOptions {
  /** How long in-flight work may take after the first signal before the process exits anyway. */
  readonly graceMs: number;
  /** Exit code used when the grace period runs out or a second signal arrives. */
  readonly forcedExitCode: (signal: StopSignal) => number;
  readonly onFirstSignal: (signal: StopSignal) => void;
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

  const handler = (signal: StopSignal): void => {
    if (received !== undefined) {
      exit(options.forcedExitCode(signal));
      return;
    }
    received = signal;
    options.onFirstSignal(signal);
    controller.abort(signal);
    graceTimer = setTimeout(() => {
      exit(options.forcedExitCode(signal));
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
