import type { NotifyOn } from '../../domain/notification-policy.js';

/** What every kind of target has: who it is, when it hears about which jobs. */
interface TargetBase {
  /** Unique in config.yaml; the only way logs and results name the target. */
  readonly name: string;
  readonly on: readonly NotifyOn[];
  /** Job names, or `*` for every job. */
  readonly jobs: readonly string[];
  /** In --watch, the same failure is sent again only after this long. */
  readonly repeatIntervalMs: number;
}

/** Slack incoming webhook, Teams Workflows webhook, or a generic signed webhook. */
export interface HttpTarget extends TargetBase {
  readonly type: 'slack' | 'teams' | 'webhook';
  /** Secret-bearing (tokens in the path or query): never logged, only its host is. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Standard Webhooks signing key (webhook only), already decoded from `whsec_<base64>`. */
  readonly signingKey?: Buffer;
}

export interface EmailTarget extends TargetBase {
  readonly type: 'email';
  /** smtp:// or smtps://, possibly with user:password: never logged, only its host is. */
  readonly smtpUrl: string;
  readonly from: string;
  readonly to: readonly string[];
}

export type NotificationTarget = HttpTarget | EmailTarget;
export type NotificationType = NotificationTarget['type'];

export const NOTIFICATION_TYPES: readonly NotificationType[] = [
  'slack',
  'teams',
  'webhook',
  'email',
];

/** Targets parsed from config.yaml's `notifications:` list (empty when there is none). */
export const NotificationTargets = Symbol('NotificationTargets');

/** The host a target sends to: what logs and results may show of its URL. */
export function targetHost(target: NotificationTarget): string {
  return hostOf(target.type === 'email' ? target.smtpUrl : target.url);
}

/** host[:port] of a URL: never its path, query or user:password. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'unknown';
  }
}
