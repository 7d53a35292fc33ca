import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunJob } from '../../../src/application/run-job.use-case.js';
import { RunEvents } from '../../../src/application/run-events.js';
import { RunJobs } from '../../../src/application/run-jobs.use-case.js';
import type { RepositoryAccess } from '../../../src/application/ports/registry.port.js';
import type { ScheduledTask } from '../../../src/application/ports/scheduler.port.js';
import { WatchJobs } from '../../../src/application/watch-jobs.use-case.js';
import { NodeScheduleScheduler } from '../../../src/adapters/scheduling/node-schedule-scheduler.adapter.js';
import { compilePattern, type Job } from '../../../src/domain/job.js';
import { FixedClock } from '../../fakes/fixed-clock.js';
import { InMemoryDeletionJournal } from '../../fakes/in-memory-deletion-journal.js';
import { InMemoryRegistry } from '../../fakes/in-memory-registry.js';
import { InMemoryStateStore } from '../../fakes/in-memory-state-store.js';
import { ManualScheduler } from '../../fakes/manual-scheduler.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { RecordingRunObserver } from '../../fakes/recording-run-observer.js';
import { RecordingWatchObserver } from '../../fakes/recording-watch-observer.js';
import { settle } from '../../fakes/settle.js';

const START = new Date('2026-06-01T00:00:00Z');
const hoursAfter = (hours: number): Date => new Date(START.getTime() + hours * 3_600_000);

const job: Job = {
  name: 'clean-dev',
  repositories: [{ kind: 'literal', name: 'app' }],
  tagPatterns: [compilePattern('dev-')],
  saveLast: 0,
  olderThanDays: 5,
  cleanEveryHours: 6,
};

function setup(
  state = new InMemoryStateStore(),
  registry = new InMemoryRegistry(),
  cron?: (expression: string, after: Date) => Date | undefined,
  Timers: typeof ManualScheduler = ManualScheduler,
) {
  registry.push('app', ['dev-1'], {
    digest: 'sha256:1',
    created: new Date('2026-01-01T00:00:00Z'),
  });
  const clock = new FixedClock(START);
  const scheduler = new Timers(clock, cron);
  const logger = new RecordingLogger();
  const writer = new RecordingRunObserver();
  const events = new RunEvents([writer], logger);
  const runJobs = new RunJobs(
    new RunJob(registry, clock, logger, events, new InMemoryDeletionJournal()),
    registry,
    state,
    events,
    clock,
    logger,
  );
  const observer = new RecordingWatchObserver(() => writer.started.length);
  const watch = new WatchJobs(runJobs, state, scheduler, clock, logger, [observer]);
  const controller = new AbortController();
  return { state, registry, clock, scheduler, writer, watch, controller, logger, observer };
}

describe('WatchJobs', () => {
  it('runs a never-run job at once, then again only when the interval has passed', async () => {
    const { watch, controller, writer, scheduler } = setup();
    const done = watch.execute([job], { dryRun: false, signal: controller.signal });
    await settle(() => writer.finished.length === 1);
    await settle(() => scheduler.waiting().length === 1);
    assert.deepEqual(scheduler.waiting(), [hoursAfter(6)]);

    scheduler.advanceTo(hoursAfter(5.9));
    await settle();
    assert.equal(writer.finished.length, 1, 'no rerun before due');

    scheduler.advanceTo(hoursAfter(6));
    await settle(() => writer.finished.length === 2);
    controller.abort();
    await done;
  });

  it('honours the recorded state after a restart: not due yet means no run at start', async () => {
    const state = new InMemoryStateStore().withRealRun('clean-dev', {
      finishedAt: hoursAfter(-2),
      success: true,
    });
    const { watch, controller, writer, scheduler } = setup(state);
    const done = watch.execute([job], { dryRun: false, signal: controller.signal });
    await settle(() => scheduler.waiting().length === 1);
    assert.equal(writer.finished.length, 0);
    assert.deepEqual(scheduler.waiting(), [hoursAfter(4)]);
    controller.abort();
    await done;
  });

  it('a failed last real run makes the job due at start', async () => {
    const state = new InMemoryStateStore().withRealRun('clean-dev', {
      finishedAt: hoursAfter(-1),
      success: false,
    });
    const { watch, controller, writer } = setup(state);
    const done = watch.execute([job], { dryRun: false, signal: controller.signal });
    await settle(() => writer.finished.length === 1);
    controller.abort();
    await done;
  });

  it('a dry-run watch does not record real runs, and paces itself by its own runs', async () => {
    const { watch, controller, writer, scheduler, state } = setup();
    const done = watch.execute([job], { dryRun: true, signal: controller.signal });
    await settle(() => writer.finished.length === 1);
    await settle(() => scheduler.waiting().length === 1);
    assert.equal((await state.lastRealRuns()).size, 0);
    assert.deepEqual(scheduler.waiting(), [hoursAfter(6)]);
    controller.abort();
    await done;
  });

  it('a failing run is retried after at most an hour, not in a tight loop', async () => {
    const registry = new InMemoryRegistry().failDeletes(new Error('boom') as never);
    const { watch, controller, writer, scheduler } = setup(undefined, registry);
    const done = watch.execute([job], { dryRun: false, signal: controller.signal });
    await settle(() => writer.finished.length === 1);
    assert.equal(writer.finished[0]?.success, false);
    await settle(() => scheduler.waiting().length === 1);
    assert.deepEqual(scheduler.waiting(), [hoursAfter(1)]);
    controller.abort();
    await done;
  });

  it('tells its observers (the banner) each job and its next run, before any run starts', async () => {
    const state = new InMemoryStateStore().withRealRun('clean-dev', {
      finishedAt: hoursAfter(-2),
      success: true,
    });
    const { watch, controller, writer, observer } = setup(state);
    const fresh: Job = { ...job, name: 'fresh' };
    const done = watch.execute([job, fresh], { dryRun: true, signal: controller.signal });
    await settle(() => writer.finished.length === 1);
    assert.deepEqual(observer.starts, [
      {
        plan: [
          { job, next: { kind: 'at', at: hoursAfter(4), reason: 'interval' } },
          { job: fresh, next: { kind: 'now', reason: 'never-run' } },
        ],
        dryRun: true,
        runsStartedBefore: 0,
      },
    ]);
    controller.abort();
    await done;
  });

  it('stops scheduling on abort and resolves', async () => {
    const { watch, controller, scheduler, writer } = setup();
    const done = watch.execute([job], { dryRun: false, signal: controller.signal });
    await settle(() => writer.finished.length === 1);
    await settle(() => scheduler.waiting().length === 1);
    controller.abort();
    await done;
    assert.deepEqual(scheduler.waiting(), []);
  });

  it('a cron schedule replaces the interval: next run at the next firing after the last run', async () => {
    const everyThreeHours = (_expression: string, after: Date): Date =>
      new Date(Math.floor(after.getTime() / 10_800_000 + 1) * 10_800_000);
    const { watch, controller, writer, scheduler } = setup(undefined, undefined, everyThreeHours);
    const cronJob: Job = { ...job, schedule: '0 */3 * * *', cleanEveryHours: 0 };
    const done = watch.execute([cronJob], { dryRun: false, signal: controller.signal });
    await settle(() => writer.finished.length === 1);
    await settle(() => scheduler.waiting().length === 1);
    assert.deepEqual(scheduler.waiting(), [hoursAfter(3)]);
    controller.abort();
    await done;
  });

  it('a run that outlasts its interval never overlaps itself; the next is planned from its end', async () => {
    const registry = new HoldingRegistry();
    const { watch, controller, writer, scheduler } = setup(undefined, registry);
    const done = watch.execute([job], { dryRun: false, signal: controller.signal });
    await settle(() => registry.held === 1);

    // Three intervals pass while the first run is still listing tags.
    for (const hours of [6, 12, 18.5]) {
      scheduler.advanceTo(hoursAfter(hours));
      await settle();
      assert.equal(writer.started.length, 1, `no second run at +${String(hours)} h`);
      assert.equal(registry.held, 1);
    }
    assert.deepEqual(scheduler.waiting(), [], 'nothing is planned while the run is in flight');

    registry.release();
    await settle(() => writer.finished.length === 1);
    await settle(() => scheduler.waiting().length === 1);
    assert.deepEqual(scheduler.waiting(), [hoursAfter(24.5)]);
    assert.equal(writer.started.length, 1);
    controller.abort();
    await done;
  });

  it('a timer that fires twice starts one run: the second finds it in flight', async () => {
    const state = new InMemoryStateStore().withRealRun('clean-dev', {
      finishedAt: START,
      success: true,
    });
    const registry = new HoldingRegistry();
    const { watch, controller, writer, scheduler } = setup(
      state,
      registry,
      undefined,
      TwiceFiringScheduler,
    );
    const done = watch.execute([job], { dryRun: false, signal: controller.signal });
    await settle(() => scheduler.waiting().length === 1);
    scheduler.advanceTo(hoursAfter(6));
    await settle(() => registry.held > 0);
    await settle();
    assert.equal(writer.started.length, 1, 'one run for two firings of its timer');
    assert.equal(registry.held, 1);
    registry.release();
    await settle(() => writer.finished.length === 1);
    await settle(() => scheduler.waiting().length === 1);
    assert.equal(writer.finished.length, 1);
    controller.abort();
    await done;
  });
});

describe('WatchJobs with cron read by the real scheduler adapter', () => {
  const realCron = (expression: string, after: Date): Date | undefined =>
    new NodeScheduleScheduler().nextCronTime(expression, after);

  it('plans the next firing of an L expression after the last run (local time)', async () => {
    const state = new InMemoryStateStore().withRealRun('clean-dev', {
      finishedAt: new Date(2026, 5, 1, 12, 0),
      success: true,
    });
    const { watch, controller, writer, scheduler, clock } = setup(state, undefined, realCron);
    clock.set(new Date(2026, 5, 2, 0, 0));
    const cronJob: Job = { ...job, schedule: '0 3 * * 5L', cleanEveryHours: 0 };
    const done = watch.execute([cronJob], { dryRun: false, signal: controller.signal });
    await settle(() => scheduler.waiting().length === 1);
    assert.deepEqual(scheduler.waiting(), [new Date(2026, 5, 26, 3, 0)]);
    assert.equal(writer.started.length, 0);
    controller.abort();
    await done;
  });

  it('an expression with no next firing is an error in the log, not a year-long wait', async () => {
    const { watch, controller, writer, scheduler, logger, observer } = setup(
      undefined,
      undefined,
      realCron,
    );
    const cronJob: Job = { ...job, schedule: '30 0 3 ? * L', cleanEveryHours: 0 };
    const done = watch.execute([cronJob], { dryRun: false, signal: controller.signal });
    // Never run: due at once; then the next firing is asked for and there is none.
    await settle(() => writer.finished.length === 1);
    await settle(() => logger.entries.some((entry) => entry.level === 'error'));
    assert.deepEqual(scheduler.waiting(), []);
    const error = logger.entries.find((entry) => entry.level === 'error');
    assert.match(error?.message ?? '', /cannot be planned/);
    assert.deepEqual(error?.fields, { job: 'clean-dev', schedule: '30 0 3 ? * L' });
    // The health endpoint hears it too (/healthz fails while a job cannot be planned).
    assert.deepEqual(observer.planned.at(-1), { job: 'clean-dev', at: undefined });
    controller.abort();
    await done;
  });
});

/**
 * Calls each task twice: a timer that fires again while its run is in flight (a clock step,
 * a scheduler bug). Nothing in WatchJobs should trust a timer to fire only once.
 */
class TwiceFiringScheduler extends ManualScheduler {
  override at(at: Date, task: () => void): ScheduledTask {
    return super.at(at, () => {
      task();
      task();
    });
  }
}

/** Holds every tag listing until released: a run that outlasts its interval. */
class HoldingRegistry extends InMemoryRegistry {
  held = 0;
  release: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });

  override async listTags(repository: string, access: RepositoryAccess): Promise<string[]> {
    this.held += 1;
    await this.gate;
    return super.listTags(repository, access);
  }
}
