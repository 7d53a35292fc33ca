import type { ScheduledTask, Scheduler } from '../../src/application/ports/scheduler.port.js';
import type { FixedClock } from './fixed-clock.js';

interface Pending {
  readonly at: Date;
  readonly task: () => void;
  cancelled: boolean;
}

/** Fires scheduled tasks only when the test moves the clock forward. */
export class ManualScheduler implements Scheduler {
  private readonly pending: Pending[] = [];

  constructor(
    private readonly clock: FixedClock,
    /** Stands in for cron: the next firing after a given instant. */
    private readonly cron: (expression: string, after: Date) => Date | undefined = () => undefined,
  ) {}

  at(at: Date, task: () => void): ScheduledTask {
    const entry: Pending = { at, task, cancelled: false };
    this.pending.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  nextCronTime(expression: string, after: Date): Date | undefined {
    return this.cron(expression, after);
  }

  /** Times of the tasks still waiting, earliest first. */
  waiting(): Date[] {
    return this.pending
      .filter((entry) => !entry.cancelled)
      .map((entry) => entry.at)
      .sort((a, b) => a.getTime() - b.getTime());
  }

  /** Moves the clock to `to` and runs every task due by then, in time order. */
  advanceTo(to: Date): void {
    this.clock.set(to);
    for (;;) {
      const due = this.pending
        .filter((entry) => !entry.cancelled && entry.at.getTime() <= to.getTime())
        .sort((a, b) => a.at.getTime() - b.at.getTime())[0];
      if (due === undefined) return;
      due.cancelled = true;
      due.task();
    }
  }
}
