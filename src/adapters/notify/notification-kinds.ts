import { emailKind } from './kinds/email.js';
import type { NotificationKind } from './kinds/notification-kind.js';
import { slackKind } from './kinds/slack.js';
import { teamsKind } from './kinds/teams.js';
import { webhookKind } from './kinds/webhook.js';
import type { NotificationType, TargetOfType } from './notification-settings.js';
import type { ListCaps } from './run-summary.js';

/**
 * The delivery half of every kind of notification-settings.ts's KIND_SETTINGS: a kind
 * registered there and missing here is a compile error.
 */
const KINDS: { readonly [Type in NotificationType]: NotificationKind<TargetOfType<Type>> } = {
  slack: slackKind,
  teams: teamsKind,
  webhook: webhookKind,
  email: emailKind,
};

export function notificationKind<Type extends NotificationType>(
  type: Type,
): NotificationKind<TargetOfType<Type>> {
  return KINDS[type];
}

/** How long the lists of a run summary may be in each format. */
export function capsFor(type: NotificationType): ListCaps {
  return KINDS[type].caps;
}
