import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CleanerMetrics } from '../../../src/adapters/metrics/cleaner-metrics.js';
import {
  STALE_AFTER_MS,
  TICK_MS,
  WatchHealth,
} from '../../../src/adapters/metrics/watch-health.js';
import { RunEvents } from '../../../src/application/run-events.js';
import { RunJob } from '../../../src/application/run-job.use-case.js';
import { RunJobs } from '../../../src/application/run-jobs.use-case.js';
import { WatchJobs } from '../../../src/application/watch-jobs.use-case.js';
import { aJob } from '../../builders/jobs.js';
import { FixedClock } from '../../fakes/fixed-clock.js';
import { InMemoryDeletionJournal } from '../../fakes/in-memory-deletion-journal.js';
import { InMemoryRegistry } from '../../fakes/in-memory-registry.js';
import { InMemoryStateStore } from '../../fakes/in-memory-state-store.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { RecordingRunObserver } from '../../fakes/recording-run-observer.js';
import { settle } from '../../fakes/settle.js';
import { ManualScheduler } from '../../fakes/manual-scheduler.js';

const START = new Date('2026-06-01T00:00:00Z');
const after = (ms: number): Date => new Date(START.getTime() + ms);

function setup() {
  const clock = new FixedClock(START);
  const scheduler = new ManualScheduler(clock);
  const metrics = new CleanerMetrics();
  return { clock, scheduler, metrics, health: new WatchHealth(scheduler, clock, metrics) };
}

describe('WatchHealth', () => {
  it('is neither ready nor alive before watch mode starts', () => {
    const { health } = setup();
    assert.equal(health.readiness().ok, false);
    assert.equal(health.liveness().ok, false);
  });

  it('stays alive while the scheduler ticks, and fails once the ticks stop coming', () => {
    const { health, scheduler, clock } = setup();
    health.watchStarted();
    assert.deepEqual([health.readiness().ok, health.liveness().ok], [true, true]);
    assert.deepEqual(scheduler.waiting(), [after(TICK_MS)]);
    scheduler.advanceTo(after(10 * STALE_AFTER_MS));
    assert.equal(health.liveness().ok, true, 'every tick fired on time');
    // The clock moves on but the scheduler fires nothing any more: a stuck scheduler.
    clock.set(after(11 * STALE_AFTER_MS + 1));
    assert.deepEqual(health.liveness(), {
      ok: false,
      detail: `the scheduler has not ticked for ${String(Math.round((STALE_AFTER_MS + 1) / 1000))} s`,
    });
    assert.equal(health.readiness().ok, true, 'readiness is not liveness');
  });

  it('turns 503 when watch mode stops, and stops ticking', () => {
    const { health, scheduler } = setup();
    health.watchStarted();
    health.watchStopped();
    assert.deepEqual(health.liveness(), { ok: false, detail: 'watch mode is stopping' });
    assert.equal(health.readiness().ok, false);
    assert.deepEqual(scheduler.waiting(), []);
  });

  it('publishes the next run of each job, and fails while a job cannot be planned', async () => {
    const { health, metrics } = setup();
    health.watchStarted();
    health.nextRunPlanned('a', after(3_600_000));
    health.nextRunPlanned('b', undefined);
    assert.deepEqual(health.liveness(), {
      ok: false,
      detail: 'cannot plan the next run of: b (see the log)',
    });
    const text = await metrics.text();
    assert.match(
      text,
      new RegExp(
        `^reg_cleaner_job_next_run_timestamp_seconds\\{job="a"\\} ${String(after(3_600_000).getTime() / 1000)}$`,
        'm',
      ),
    );
    assert.doesNotMatch(text, /next_run_timestamp_seconds\{job="b"\}/);
    health.nextRunPlanned('b', after(60_000));
    assert.equal(health.liveness().ok, true);
  });
});

describe('WatchHealth told by WatchJobs', () => {
  it('is ready and alive while watch mode runs, publishes the next run, and fails once it stops', async () => {
    const clock = new FixedClock(START);
    const scheduler = new ManualScheduler(clock);
    const metrics = new CleanerMetrics();
    const health = new WatchHealth(scheduler, clock, metrics);
    const registry = new InMemoryRegistry();
    registry.push('app', ['dev-1'], { digest: 'sha256:1', created: new Date('2026-01-01') });
    const logger = new RecordingLogger();
    const runs = new RecordingRunObserver();
    const events = new RunEvents([runs], logger);
    const state = new InMemoryStateStore();
    const runJobs = new RunJobs(
      new RunJob(registry, clock, logger, events, new InMemoryDeletionJournal()),
      registry,
      state,
      events,
      clock,
      logger,
    );
    const watch = new WatchJobs(runJobs, state, scheduler, clock, logger, [health]);
    const controller = new AbortController();
    const done = watch.execute([aJob({ name: 'clean-dev', cleanEveryHours: 6 })], {
      dryRun: false,
      signal: controller.signal,
    });
    await settle(() => runs.finished.length === 1 && scheduler.waiting().length === 2);
    assert.deepEqual([health.readiness().ok, health.liveness().ok], [true, true]);
    const text = await metrics.text();
    const sixHours = START.getTime() / 1000 + 6 * 3600;
    assert.match(
      text,
      new RegExp(`next_run_timestamp_seconds\\{job="clean-dev"\\} ${String(sixHours)}$`, 'm'),
    );
    // Hours pass with the scheduler firing (the heartbeat among its tasks): still alive.
    scheduler.advanceTo(after(3 * 3_600_000));
    assert.equal(health.liveness().ok, true);

    controller.abort();
    await done;
    assert.deepEqual(health.liveness(), { ok: false, detail: 'watch mode is stopping' });
    assert.equal(health.readiness().ok, false);
    assert.deepEqual(scheduler.waiting(), [], 'no heartbeat and no job timer left');
  });
});
