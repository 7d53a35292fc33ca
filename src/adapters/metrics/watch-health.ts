import { inject, injectable } from 'inversify';
import { Clock } from '../../application/ports/clock.port.js';
import { Scheduler, type ScheduledTask } from '../../application/ports/scheduler.port.js';
import type { WatchObserver } from '../../application/ports/watch-observer.port.js';
import { CleanerMetrics } from './cleaner-metrics.js';

/** How often the health heartbeat goes through the scheduler. */
export const TICK_MS = 15_000;
/** A heartbeat older than this means the scheduler no longer fires: /healthz says 503. */
export const STALE_AFTER_MS = 60_000;

export interface Verdict {
  readonly ok: boolean;
  /** One line for the probe's body: why, never a credential. */
  readonly detail: string;
}

/**
 * The state behind /readyz and /healthz. Liveness is a heartbeat sent through the same
 * Scheduler that fires the jobs: when node-schedule stops firing (or the event loop is stuck),
 * the heartbeat goes stale and the probe fails, although each job runs only every few hours.
 * A job that cannot be planned (issue 14) also fails the probe, so that it is seen.
 */
@injectable()
export class WatchHealth implements WatchObserver {
  private started = false;
  private stopped = false;
  private lastTick: Date | undefined;
  private beat: ScheduledTask | undefined;
  private readonly unplanned = new Set<string>();

  constructor(
    @inject(Scheduler) private readonly scheduler: Scheduler,
    @inject(Clock) private readonly clock: Clock,
    @inject(CleanerMetrics) private readonly metrics: CleanerMetrics,
  ) {}

  watchStarted(): void {
    this.started = true;
    this.tick();
  }

  nextRunPlanned(jobName: string, at: Date | undefined): void {
    if (at === undefined) {
      this.unplanned.add(jobName);
      this.metrics.nextRun.remove({ job: jobName });
      return;
    }
    this.unplanned.delete(jobName);
    this.metrics.nextRun.set({ job: jobName }, at.getTime() / 1000);
  }

  watchStopped(): void {
    this.stopped = true;
    this.beat?.cancel();
    this.beat = undefined;
  }

  /** 200 once the configuration is loaded, the state lock held and watch mode running. */
  readiness(): Verdict {
    if (!this.started) return { ok: false, detail: 'watch mode has not started yet' };
    if (this.stopped) return { ok: false, detail: 'watch mode is stopping' };
    return { ok: true, detail: 'ready' };
  }

  liveness(): Verdict {
    const ready = this.readiness();
    if (!ready.ok) return ready;
    const age = this.clock.now().getTime() - (this.lastTick?.getTime() ?? 0);
    if (age > STALE_AFTER_MS) {
      return { ok: false, detail: `the scheduler has not ticked for ${Math.round(age / 1000)} s` };
    }
    if (this.unplanned.size > 0) {
      const jobs = [...this.unplanned].sort().join(', ');
      return { ok: false, detail: `cannot plan the next run of: ${jobs} (see the log)` };
    }
    return { ok: true, detail: 'ok' };
  }

  private tick(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    this.lastTick = now;
    this.beat = this.scheduler.at(new Date(now.getTime() + TICK_MS), () => {
      this.tick();
    });
  }
}
