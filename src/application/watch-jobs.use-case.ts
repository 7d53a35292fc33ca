import { inject, injectable, multiInject, optional } from 'inversify';
import type { Job } from '../domain/job.js';
import type { JobReport } from '../domain/job-report.js';
import { nextRun, type NextRun } from '../domain/schedule.js';
import { Clock } from './ports/clock.port.js';
import { Logger } from './ports/logger.port.js';
import { Scheduler, type ScheduledTask } from './ports/scheduler.port.js';
import { StateStore } from './ports/state-store.port.js';
import { WatchObserver } from './ports/watch-observer.port.js';
import { messageOf } from './error-message.js';
import { RunJobs } from './run-jobs.use-case.js';

export interface WatchJobsOptions {
  readonly dryRun: boolean;
  /** Aborted on SIGINT/SIGTERM: nothing new is scheduled and execute() resolves. */
  readonly signal: AbortSignal;
  /** `--strict`: any warning fails the job. */
  readonly strict?: boolean;
}

interface Watched {
  readonly job: Job;
  timer: ScheduledTask | undefined;
  running: Promise<void> | undefined;
  /** Runs of this process, which count for dry runs and for retry pacing. */
  lastRunHere: { finishedAt: Date; success: boolean } | undefined;
}

/**
 * Endless mode: each job of jobs.yaml runs when due (behaviour.md section 4), measured from
 * the state on disk so that a restart neither reruns a job early nor forgets one.
 */
@injectable()
export class WatchJobs {
  constructor(
    @inject(RunJobs) private readonly runJobs: RunJobs,
    @inject(StateStore) private readonly state: StateStore,
    @inject(Scheduler) private readonly scheduler: Scheduler,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
    @multiInject(WatchObserver)
    @optional()
    private readonly observers: readonly WatchObserver[] = [],
  ) {}

  /** Resolves once the signal is aborted and the runs in flight have finished. */
  async execute(jobs: readonly Job[], options: WatchJobsOptions): Promise<void> {
    const watched = jobs.map((job): Watched => ({
      job,
      timer: undefined,
      running: undefined,
      lastRunHere: undefined,
    }));
    const stopped = new Promise<void>((resolve) => {
      if (options.signal.aborted) resolve();
      options.signal.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
    });
    // Every job is planned before any starts, so that the banner comes before the first table.
    const plans: { entry: Watched; next: NextRun }[] = [];
    for (const entry of watched) plans.push({ entry, next: await this.nextRunOf(entry, options) });
    if (!options.signal.aborted) {
      const plan = plans.map(({ entry, next }) => ({ job: entry.job, next }));
      for (const observer of this.observers) observer.watchStarted(plan, options.dryRun);
      for (const { entry, next } of plans) this.follow(entry, next, options);
    }
    await stopped;
    for (const observer of this.observers) observer.watchStopped();
    for (const entry of watched) entry.timer?.cancel();
    await Promise.all(watched.map((entry) => entry.running ?? Promise.resolve()));
    this.logger.info('watch mode stopped');
  }

  private async planNext(entry: Watched, options: WatchJobsOptions): Promise<void> {
    if (options.signal.aborted) return;
    this.follow(entry, await this.nextRunOf(entry, options), options);
  }

  private async nextRunOf(entry: Watched, options: WatchJobsOptions): Promise<NextRun> {
    return nextRun({
      job: entry.job,
      lastRealRun: (await this.state.lastRealRuns()).get(entry.job.name),
      lastRunHere: entry.lastRunHere,
      dryRun: options.dryRun,
      now: this.clock.now(),
      nextCronTime: (expression, after) => this.scheduler.nextCronTime(expression, after),
    });
  }

  /** Only sets timers: when to run is the domain's decision (domain/schedule.ts). */
  private follow(entry: Watched, next: NextRun, options: WatchJobsOptions): void {
    switch (next.kind) {
      case 'now':
        this.tellNextRun(entry, this.clock.now());
        this.start(entry, options);
        return;
      case 'at':
        this.tellNextRun(entry, next.at);
        this.logger.info('next run scheduled', {
          job: entry.job.name,
          at: next.at.toISOString(),
        });
        entry.timer = this.scheduler.at(next.at, () => {
          entry.timer = undefined;
          this.start(entry, options);
        });
        return;
      case 'never':
        // Never a silent long wait (issue 14): the log says so and /healthz fails.
        this.logger.error(
          'job cannot be planned: its cron expression has no next firing; it will not run until jobs.yaml is fixed and reg-cleaner restarted',
          { job: entry.job.name, schedule: entry.job.schedule ?? '' },
        );
        this.tellNextRun(entry, undefined);
        return;
    }
  }

  /** The metrics and the health endpoint publish it; undefined = the job cannot be planned. */
  private tellNextRun(entry: Watched, at: Date | undefined): void {
    for (const observer of this.observers) observer.nextRunPlanned(entry.job.name, at);
  }

  /**
   * Starts a run unless one is in flight: a job never overlaps itself. The first line of that
   * rule is that the next run is planned only once a run is over (no timer exists while one is
   * in flight); this check is the second, for any trigger added later.
   */
  private start(entry: Watched, options: WatchJobsOptions): void {
    if (entry.running !== undefined || options.signal.aborted) return;
    entry.running = this.runOnce(entry, options).finally(() => {
      entry.running = undefined;
      // Planned only once the run is over, so that a job that is due again at once still runs.
      this.planNext(entry, options).catch((error: unknown) => {
        this.logger.error('scheduling failed', { job: entry.job.name, error: messageOf(error) });
        this.tellNextRun(entry, undefined);
      });
    });
  }

  private async runOnce(entry: Watched, options: WatchJobsOptions): Promise<void> {
    let report: JobReport | undefined;
    try {
      [report] = await this.runJobs.execute([entry.job], {
        dryRun: options.dryRun,
        mode: 'watch',
        signal: options.signal,
        ...(options.strict === true ? { strict: true } : {}),
      });
    } catch (error) {
      // RunJobs already turns failures into reports; this only guards the loop itself.
      this.logger.error('watch run crashed', { job: entry.job.name, error: messageOf(error) });
    }
    const finishedAt = report?.finishedAt ?? this.clock.now();
    entry.lastRunHere = { finishedAt, success: report?.success ?? false };
  }
}
