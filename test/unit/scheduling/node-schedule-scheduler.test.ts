import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeScheduleScheduler } from '../../../src/adapters/scheduling/node-schedule-scheduler.adapter.js';

describe('NodeScheduleScheduler', () => {
  const scheduler = new NodeScheduleScheduler();

  it('computes the next cron time strictly after the given instant', () => {
    const after = new Date(2026, 5, 1, 10, 30);
    const next = scheduler.nextCronTime('0 * * * *', after);
    assert.deepEqual(next, new Date(2026, 5, 1, 11, 0));
  });

  it('answers undefined for an expression it cannot read', () => {
    assert.equal(scheduler.nextCronTime('not a cron', new Date()), undefined);
  });

  it('runs a task whose time has passed on the next turn, and cancel prevents it', async () => {
    let ran = 0;
    scheduler.at(new Date(0), () => (ran += 1));
    scheduler.at(new Date(0), () => (ran += 10)).cancel();
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(ran, 1);
  });

  it('a future task can be cancelled before it fires', () => {
    const task = scheduler.at(new Date(Date.now() + 3_600_000), () => {
      assert.fail('must not run');
    });
    task.cancel();
  });
});
