import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCron } from '../../../src/adapters/config/cron-check.js';
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

  // Local time, as the scheduler reads cron. Monday 1 June 2026, 00:00.
  const after = new Date(2026, 5, 1, 0, 0);
  const cases: readonly { expression: string; next: Date; what: string }[] = [
    { what: 'L: last day of the month', expression: '0 3 L * *', next: new Date(2026, 5, 30, 3) },
    { what: '5L: last Friday', expression: '0 3 * * 5L', next: new Date(2026, 5, 26, 3) },
    {
      what: '?: no specific day',
      expression: '30 0 3 ? * *',
      next: new Date(2026, 5, 1, 3, 0, 30),
    },
    { what: '#: second Friday', expression: '0 3 * * 5#2', next: new Date(2026, 5, 12, 3) },
    { what: 'range with a step', expression: '0 9-17/4 * * *', next: new Date(2026, 5, 1, 9) },
    { what: 'weekday range', expression: '0 3 * * FRI-SAT', next: new Date(2026, 5, 5, 3) },
    { what: 'month range', expression: '0 0 1 sep-nov *', next: new Date(2026, 8, 1) },
  ];
  for (const c of cases) {
    it(`plans ${c.what} (${c.expression}), and the config check accepts it`, () => {
      assert.deepEqual(scheduler.nextCronTime(c.expression, after), c.next);
      assert.equal(checkCron(c.expression, after), undefined);
    });
  }

  for (const expression of [
    '30 0 3 ? * L',
    '0 0 31 2,4 *',
    '0 3 * * 5#6',
    '0 3 * * 1-5#2',
    '0 3 * * SAT-SUN',
  ]) {
    it(`cannot plan ${expression}, and the config check refuses it`, () => {
      assert.equal(scheduler.nextCronTime(expression, after), undefined);
      assert.match(checkCron(expression, after) ?? '', /cannot plan it/);
    });
  }

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
