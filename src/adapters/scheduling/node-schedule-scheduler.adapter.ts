import { injectable } from 'inversify';
import schedule from 'node-schedule';
import type { ScheduledTask, Scheduler } from '../../application/ports/scheduler.port.js';
import { nextCronFiring } from '../shared/cron.js';

/**
 * node-schedule copes with dates weeks ahead (plain setTimeout overflows after 24.8 days).
 * Cron times come from cron.ts, the same code the config check validates with.
 */
@injectable()
export class NodeScheduleScheduler implements Scheduler {
  at(at: Date, task: () => void): ScheduledTask {
    // node-schedule returns null for a date already past: such a task runs at once instead.
    const job: schedule.Job | null =
      at.getTime() > Date.now() ? schedule.scheduleJob(at, task) : null;
    if (job !== null) return { cancel: () => job.cancel() };
    const immediate = setImmediate(task);
    return {
      cancel: () => {
        clearImmediate(immediate);
      },
    };
  }

  nextCronTime(expression: string, after: Date): Date | undefined {
    const firing = nextCronFiring(expression, after);
    return 'at' in firing ? firing.at : undefined;
  }
}
