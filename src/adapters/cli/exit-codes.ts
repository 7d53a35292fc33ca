import { JournalError } from '../../application/ports/deletion-journal.port.js';
import { StateLockedError } from '../../application/ports/state-store.port.js';
import type { NotificationResult } from '../../application/ports/notifier.port.js';
import type { JobReport } from '../../domain/job-report.js';
import { restoreSucceeded, type RestoreReport } from '../../domain/restore-report.js';
import { ConfigError } from '../config/config-error.js';
import { redact } from '../shared/secrets/redact.js';
import { UsageError } from '../shared/usage-error.js';

/**
 * The one place that turns outcomes into exit codes (behaviour.md section 5).
 * 0 success, 1 a job failed or an unexpected error, 2 configuration or usage,
 * 128 + signal number when a one-shot run was stopped by a signal.
 */
export const ExitCode = {
  success: 0,
  failure: 1,
  usage: 2,
  sigint: 130,
  sigterm: 143,
} as const;

export interface ExitDecision {
  readonly code: number;
  /** What to print on stderr; never a secret. */
  readonly message: string;
}

/** Set to print stack traces of unexpected errors. */
export const DEBUG_ENV = 'REG_CLEANER_DEBUG';

/** An error that ended the run -> exit code and message. */
export function exitCodeFor(error: unknown, env: NodeJS.ProcessEnv = process.env): ExitDecision {
  if (error instanceof ConfigError) {
    return {
      code: ExitCode.usage,
      message: `${error.format()}\nNothing was sent to the registry.`,
    };
  }
  if (error instanceof StateLockedError) {
    return {
      code: ExitCode.usage,
      message: `error: ${error.message}\nNothing was sent to the registry.`,
    };
  }
  if (error instanceof JournalError) {
    return {
      code: ExitCode.usage,
      message: `error: ${redact(error.message)}\nNothing was sent to the registry.`,
    };
  }
  if (error instanceof UsageError) {
    return {
      code: ExitCode.usage,
      message: `error: ${redact(error.message)}\n(run reg-cleaner --help for usage)`,
    };
  }
  const text =
    error instanceof Error
      ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
      : String(error);
  const debugging = isSet(env[DEBUG_ENV]);
  const stack =
    debugging && error instanceof Error && error.stack !== undefined ? `\n${error.stack}` : '';
  const hint = debugging ? '' : `\n(set ${DEBUG_ENV}=1 to see the stack trace)`;
  return {
    code: ExitCode.failure,
    message: redact(`reg-cleaner: unexpected error: ${text}${stack}${hint}`),
  };
}

/** A completed one-shot run: 1 when any job failed, otherwise 0. */
export function exitCodeForReports(reports: readonly JobReport[]): number {
  return reports.some((report) => !report.success) ? ExitCode.failure : ExitCode.success;
}

/** `reg-cleaner demo`: 0 done, 1 failed, 128 + the signal's number when stopped. */
export function exitCodeForDemo(outcome: 'done' | 'failed' | 'SIGINT' | 'SIGTERM'): number {
  switch (outcome) {
    case 'done':
      return ExitCode.success;
    case 'failed':
      return ExitCode.failure;
    case 'SIGINT':
    case 'SIGTERM':
      return interruptedExitCode(outcome);
  }
}

/** A restore (issue 16): 0 when everything restorable was restored, 1 when something was not. */
export function exitCodeForRestore(report: RestoreReport): number {
  return restoreSucceeded(report) ? ExitCode.success : ExitCode.failure;
}

/** `--test-notifications`: 0 only if every target took the test message. */
export function exitCodeForNotifications(results: readonly NotificationResult[]): number {
  return results.length > 0 && results.every((result) => result.delivered)
    ? ExitCode.success
    : ExitCode.failure;
}

/** A one-shot run stopped by a signal: 128 + the signal's number, as shells report it. */
export function interruptedExitCode(signal: 'SIGINT' | 'SIGTERM'): number {
  switch (signal) {
    case 'SIGINT':
      return ExitCode.sigint;
    case 'SIGTERM':
      return ExitCode.sigterm;
  }
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
