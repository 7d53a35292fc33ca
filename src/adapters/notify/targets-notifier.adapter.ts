import { inject, injectable } from 'inversify';
import { Clock } from '../../application/ports/clock.port.js';
import type { NotificationResult, Notifier } from '../../application/ports/notifier.port.js';
import { RegistryAddress } from '../shared/registry-address.js';
import { MessageSender } from './notification-sender.js';
import {
  hostOf,
  NotificationTargets,
  targetHost,
  type NotificationTarget,
} from './notification-settings.js';

/** The Notifier port over the targets of config.yaml. */
@injectable()
export class TargetsNotifier implements Notifier {
  constructor(
    @inject(NotificationTargets) private readonly targets: readonly NotificationTarget[],
    @inject(MessageSender) private readonly sender: MessageSender,
    @inject(RegistryAddress) private readonly registry: RegistryAddress,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  targetNames(): readonly string[] {
    return this.targets.map((target) => target.name);
  }

  sendTestMessages(): Promise<readonly NotificationResult[]> {
    const registry = hostOf(this.registry.url);
    return Promise.all(
      this.targets.map(async (target): Promise<NotificationResult> => {
        const result = await this.sender.send(target, {
          kind: 'test',
          target: target.name,
          registry,
          sentAt: this.clock.now(),
        });
        return { target: target.name, host: targetHost(target), ...result };
      }),
    );
  }
}
