import { createHash } from 'node:crypto';
import { inject, injectable } from 'inversify';
import { Clock } from '../../application/ports/clock.port.js';
import { Logger } from '../../application/ports/logger.port.js';
import type {
  JobFinishedEvent,
  JobStartedEvent,
  RunObserver,
} from '../../application/ports/run-observer.port.js';
import { StateStore } from '../../application/ports/state-store.port.js';
import type { Job } from '../../domain/job.js';
import type { JobReport, LastRealRun } from '../../domain/job-report.js';
import {
  failureCause,
  isRepeatHeldBack,
  notifyReasons,
  targetsJob,
} from '../../domain/notification-policy.js';
import { RegistrySettings } from '../registry/registry-settings.js';
import { ReportLocator } from '../shared/report-location.js';
import { deliveredWithin, INTERRUPTED_DELIVERY_MS } from './delivery.js';
import { FileNotificationLog } from './notification-log.js';
import { capsFor, MessageSender } from './notification-sender.js';
import {
  hostOf,
  NotificationTargets,
  targetHost,
  type NotificationTarget,
} from './notification-target.js';
import { summariseRun, type RunContext } from './run-summary.js';

/**
 * Tells people about runs (issue 11): at most one message per target per job run, built from
 * the finished JobReport, sent to every target at once. A target that is down is logged (by
 * name and host), recorded in notifications.json, and changes nothing else: RunEvents
 * isolates observers, and this one never throws for a delivery.
 */
@injectable()
export class NotificationObserver implements RunObserver {
  /** The job's last real run as it was before this run: `recovered` compares with it. */
  private readonly previous = new Map<string, LastRealRun | undefined>();
  /** The job of each run under way: its rules go into the message. */
  private readonly jobs = new Map<string, Job>();

  constructor(
    @inject(NotificationTargets) private readonly targets: readonly NotificationTarget[],
    @inject(MessageSender) private readonly sender: MessageSender,
    @inject(FileNotificationLog) private readonly log: FileNotificationLog,
    @inject(StateStore) private readonly state: StateStore,
    @inject(RegistrySettings) private readonly registry: RegistrySettings,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
    @inject(ReportLocator) private readonly reports: ReportLocator,
  ) {}

  async jobStarted(event: JobStartedEvent): Promise<void> {
    if (!this.targets.some((target) => targetsJob(target.jobs, event.job.name))) return;
    this.jobs.set(event.job.name, event.job);
    // Read now: by jobFinished the state already holds this run's own record.
    this.previous.set(event.job.name, (await this.state.lastRealRuns()).get(event.job.name));
  }

  repositoryFinished(): Promise<void> {
    return Promise.resolve();
  }

  async jobFinished({ report }: JobFinishedEvent): Promise<void> {
    const previous = this.previous.get(report.jobName);
    this.previous.delete(report.jobName);
    const job = this.jobs.get(report.jobName);
    this.jobs.delete(report.jobName);
    const targets = this.targets.filter((target) => targetsJob(target.jobs, report.jobName));
    if (targets.length === 0) return;
    const cause = fingerprint(failureCause(report));
    const location = this.reports.locate(report.jobName, report.startedAt, report.dryRun);
    const context: RunContext = {
      ...(job === undefined ? {} : { job }),
      ...(location === undefined ? {} : { report: location }),
    };
    await Promise.all(
      targets.map((target) => this.notify(target, report, previous, cause, context)),
    );
  }

  private async notify(
    target: NotificationTarget,
    report: JobReport,
    previous: LastRealRun | undefined,
    cause: string,
    context: RunContext,
  ): Promise<void> {
    const failed = !report.success;
    const reasons = notifyReasons(report, previous, target.on);
    const record = await this.log.get(target.name, report.jobName);
    const fields = { target: target.name, host: targetHost(target), job: report.jobName };
    if (reasons.length === 0) {
      // A run that went well ends the failure streak: the next failure is news again.
      if (!failed && record.lastFailure !== undefined) {
        await this.log.update(target.name, report.jobName, ({ lastDelivery }) =>
          lastDelivery === undefined ? {} : { lastDelivery },
        );
      }
      return;
    }
    const now = this.clock.now();
    if (
      report.mode === 'watch' &&
      isRepeatHeldBack(reasons, cause, record.lastFailure, now, target.repeatIntervalMs)
    ) {
      this.logger.info('notification held back: same failure as the last message', fields);
      return;
    }
    const summary = summariseRun(
      report,
      hostOf(this.registry.url),
      reasons,
      capsFor(target.type),
      context,
    );
    const delivery = this.sender.send(target, { kind: 'run', summary });
    // A run cut short by a signal: the process exits within seconds, retries or not.
    const result = report.interrupted
      ? await deliveredWithin(delivery, INTERRUPTED_DELIVERY_MS)
      : await delivery;
    if (result.delivered) {
      this.logger.info('notification sent', { ...fields, attempts: result.attempts });
    } else {
      this.logger.warn('notification not delivered', {
        ...fields,
        attempts: result.attempts,
        problem: result.problem,
      });
    }
    const at = this.clock.now();
    await this.log.update(target.name, report.jobName, (old) => {
      const lastFailure = !failed
        ? undefined
        : result.delivered && reasons.includes('failure')
          ? { cause, sentAt: now }
          : old.lastFailure;
      return {
        ...(lastFailure === undefined ? {} : { lastFailure }),
        lastDelivery: {
          at,
          delivered: result.delivered,
          attempts: result.attempts,
          ...(result.problem === undefined ? {} : { problem: result.problem }),
        },
      };
    });
  }
}

/** The state file keeps a hash of the cause: error texts stay in the reports. */
function fingerprint(cause: string): string {
  return createHash('sha256').update(cause).digest('hex').slice(0, 32);
}
