import { inject, injectable } from 'inversify';
import { Clock } from '../../application/ports/clock.port.js';
import { Logger } from '../../application/ports/logger.port.js';
import type { NotificationResult, Notifier } from '../../application/ports/notifier.port.js';
import { ALL_JOBS, restoreReasons, targetsJob } from '../../domain/notification-policy.js';
import type { RestoreReport } from '../../domain/restore-report.js';
import { RegistrySettings } from '../registry/registry-settings.js';
import { capsFor, MessageSender } from './notification-sender.js';
import { summariseRestore } from './restore-summary.js';
import {
  hostOf,
  NotificationTargets,
  targetHost,
  type NotificationTarget,
} from './notification-target.js';

/** The Notifier port over the targets of config.yaml. */
@injectable()
export class TargetsNotifier implements Notifier {
  constructor(
    @inject(NotificationTargets) private readonly targets: readonly NotificationTarget[],
    @inject(MessageSender) private readonly sender: MessageSender,
    @inject(RegistrySettings) private readonly registry: RegistrySettings,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
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

  restoreFinished(report: RestoreReport): Promise<readonly NotificationResult[]> {
    const registry = hostOf(this.registry.url);
    const jobs = report.jobs ?? [];
    const targets = this.targets.filter(
      (target) =>
        restoreReasons(target.on).length > 0 &&
        (target.jobs.includes(ALL_JOBS) || jobs.some((job) => targetsJob(target.jobs, job))),
    );
    const finishedAt = this.clock.now();
    return Promise.all(
      targets.map(async (target): Promise<NotificationResult> => {
        const reasons = restoreReasons(target.on);
        const summary = summariseRestore(
          report,
          { registry, reasons, finishedAt },
          capsFor(target.type),
        );
        const result = await this.sender.send(target, { kind: 'restored', summary });
        const fields = { target: target.name, host: targetHost(target), attempts: result.attempts };
        if (result.delivered) this.logger.info('restore notification sent', fields);
        else {
          this.logger.warn('restore notification not delivered', {
            ...fields,
            problem: result.problem ?? 'unknown',
          });
        }
        return { target: target.name, host: targetHost(target), ...result };
      }),
    );
  }
}
