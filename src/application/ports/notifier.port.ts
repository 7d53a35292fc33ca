import type { RestoreReport } from '../../domain/restore-report.js';

/** How one target took a message. Names the target and its host only, never its URL. */
export interface NotificationResult {
  /** The target's `name` in config.yaml. */
  readonly target: string;
  readonly host: string;
  readonly delivered: boolean;
  readonly attempts: number;
  /** Why it was not delivered (a status, an error code): never a URL, header or password. */
  readonly problem?: string;
}

/**
 * The notification targets of config.yaml (Slack, Teams, webhooks, e-mail). Run messages go
 * out through a RunObserver; this port is what a use case needs beyond that.
 */
export interface Notifier {
  /** Names of the configured targets, in config order. */
  targetNames(): readonly string[];
  /** Sends a clearly marked test message to every target at once; one result per target. */
  sendTestMessages(): Promise<readonly NotificationResult[]>;
  /**
   * Tells the targets whose `on` lists `restored` or `always` (and whose `jobs` name a job of
   * the restore, or `*`) what a `--restore` put back and what it could not. Never throws.
   */
  restoreFinished(report: RestoreReport): Promise<readonly NotificationResult[]>;
}
export const Notifier = Symbol('Notifier');
