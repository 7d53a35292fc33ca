import { emailSettings } from './kinds/email-settings.js';
import type { PostTarget } from './kinds/http-target-settings.js';
import type { KindSettings } from './kinds/kind-settings.js';
import { slackSettings } from './kinds/slack-settings.js';
import { teamsSettings } from './kinds/teams-settings.js';
import { webhookSettings } from './kinds/webhook-settings.js';

export type { KindKey, TargetBase } from './kinds/kind-settings.js';
export type { SlackTarget } from './kinds/slack-settings.js';
export type { TeamsTarget } from './kinds/teams-settings.js';
export type { WebhookTarget } from './kinds/webhook-settings.js';
export type { EmailTarget } from './kinds/email-settings.js';

/**
 * Every kind of notification target, in the order messages list them: the config section, the
 * target union and the sender are derived from it. A new kind is a line here and one in
 * kinds/notification-kinds.ts (the compiler asks for the second).
 */
export const KIND_SETTINGS = [
  slackSettings,
  teamsSettings,
  webhookSettings,
  emailSettings,
] as const;

type TargetOf<Settings> = Settings extends KindSettings<infer Target> ? Target : never;

export type NotificationTarget = TargetOf<(typeof KIND_SETTINGS)[number]>;
export type NotificationType = NotificationTarget['type'];
/** The target of one kind. */
export type TargetOfType<Type extends NotificationType> = Extract<
  NotificationTarget,
  { readonly type: Type }
>;
/** The kinds that POST to a URL (Slack, Teams, webhook). */
export type HttpTarget = Extract<NotificationTarget, PostTarget>;

export const NOTIFICATION_TYPES: readonly NotificationType[] = KIND_SETTINGS.map(
  (settings) => settings.type,
);

/** Targets parsed from config.yaml's `notifications:` list (empty when there is none). */
export const NotificationTargets = Symbol('NotificationTargets');

type SettingsTable = { readonly [Type in NotificationType]: KindSettings<TargetOfType<Type>> };
const SETTINGS = Object.fromEntries(
  KIND_SETTINGS.map((settings) => [settings.type, settings]),
) as unknown as SettingsTable;

/** The config.yaml half of a kind. */
export function kindSettings<Type extends NotificationType>(
  type: Type,
): KindSettings<TargetOfType<Type>> {
  return SETTINGS[type];
}

/** The host a target sends to: what logs and results may show of its URL. */
export function targetHost(target: NotificationTarget): string {
  return hostOf(addressOf(target.type, target));
}

function addressOf<Type extends NotificationType>(type: Type, target: TargetOfType<Type>): string {
  return kindSettings(type).address(target);
}

/** host[:port] of a URL: never its path, query or user:password. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'unknown';
  }
}
