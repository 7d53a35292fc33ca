import { ContainerModule } from 'inversify';
import { Notifier } from '../application/ports/notifier.port.js';
import { RunObserver } from '../application/ports/run-observer.port.js';
import { DeliveryTiming, SYSTEM_TIMING } from '../adapters/notify/delivery.js';
import { HttpPoster } from '../adapters/notify/http-poster.js';
import { FileNotificationLog } from '../adapters/notify/notification-log.js';
import { MessageSender, NotificationSender } from '../adapters/notify/notification-sender.js';
import {
  NotificationTargets,
  type NotificationTarget,
} from '../adapters/notify/notification-settings.js';
import { NotificationObserver } from '../adapters/notify/notification.observer.js';
import { TargetsNotifier } from '../adapters/notify/targets-notifier.adapter.js';

/** Notifications (issue 11): a run observer for runs, a Notifier for restores and tests. */
export function notifyModule(targets: readonly NotificationTarget[]): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(NotificationTargets).toConstantValue(targets);
    bind(DeliveryTiming).toConstantValue(SYSTEM_TIMING);
    // Its own axios instance: nothing of the registry's transport reaches a webhook.
    bind(HttpPoster).toSelf().inSingletonScope();
    bind(MessageSender).to(NotificationSender).inSingletonScope();
    bind(FileNotificationLog).toSelf().inSingletonScope();
    bind(RunObserver).to(NotificationObserver).inSingletonScope();
    bind(Notifier).to(TargetsNotifier).inSingletonScope();
  });
}
