import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LastRealRun } from '../../../src/domain/job-report.js';
import { isJobDue, nextDueAt } from '../../../src/domain/schedule.js';

const NOW = new Date('2026-03-15T12:00:00Z');
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

function finished(msAgo: number, success = true): LastRealRun {
  return { finishedAt: new Date(NOW.getTime() - msAgo), success };
}

describe('isJobDue / nextDueAt: section 4, watch mode runs a job when it is due', () => {
  const cases: {
    rule: string;
    last: LastRealRun | undefined;
    everyHours: number;
    expected: ReturnType<typeof isJobDue>;
  }[] = [
    {
      rule: 'no real-run record yet -> due (never-run)',
      last: undefined,
      everyHours: 24,
      expected: { due: true, reason: 'never-run' },
    },
    {
      rule: 'last real run failed, even a minute ago -> due (last-failed)',
      last: finished(MINUTE_MS, false),
      everyHours: 24,
      expected: { due: true, reason: 'last-failed' },
    },
    {
      rule: 'succeeded 23 h ago, every 24 h -> not due, next at finishedAt + 24 h',
      last: finished(23 * HOUR_MS),
      everyHours: 24,
      expected: { due: false, nextDueAt: new Date(NOW.getTime() + HOUR_MS) },
    },
    {
      rule: 'exactly at finishedAt + interval -> due (the boundary counts as passed)',
      last: finished(24 * HOUR_MS),
      everyHours: 24,
      expected: { due: true, reason: 'interval-passed' },
    },
    {
      rule: '1 ms before the boundary -> not due',
      last: finished(24 * HOUR_MS - 1),
      everyHours: 24,
      expected: { due: false, nextDueAt: new Date(NOW.getTime() + 1) },
    },
    {
      rule: 'long past the interval -> due (interval-passed)',
      last: finished(100 * HOUR_MS),
      everyHours: 24,
      expected: { due: true, reason: 'interval-passed' },
    },
    {
      rule: 'fractional hours: 0.5 h, finished 29 min ago -> not due for one more minute',
      last: finished(29 * MINUTE_MS),
      everyHours: 0.5,
      expected: { due: false, nextDueAt: new Date(NOW.getTime() + MINUTE_MS) },
    },
    {
      rule: 'fractional hours: 0.5 h, finished 30 min ago -> due',
      last: finished(30 * MINUTE_MS),
      everyHours: 0.5,
      expected: { due: true, reason: 'interval-passed' },
    },
    {
      rule: 'interval 0 -> due right after a successful run',
      last: finished(0),
      everyHours: 0,
      expected: { due: true, reason: 'interval-passed' },
    },
    {
      rule: 'finishedAt in the future (clock went back) -> waits until finishedAt + interval',
      last: finished(-2 * HOUR_MS),
      everyHours: 1,
      expected: { due: false, nextDueAt: new Date(NOW.getTime() + 3 * HOUR_MS) },
    },
  ];
  for (const c of cases) {
    it(`section 4: ${c.rule}`, () => {
      const check = isJobDue(c.last, c.everyHours, NOW);
      assert.deepEqual(check, c.expected);
      const next = nextDueAt(c.last, c.everyHours, NOW);
      assert.equal(next.getTime(), c.expected.due ? NOW.getTime() : c.expected.nextDueAt.getTime());
    });
  }

  it('nextDueAt returns a copy of now when due, never the caller’s object', () => {
    const next = nextDueAt(undefined, 24, NOW);
    assert.notEqual(next, NOW);
    assert.equal(next.getTime(), NOW.getTime());
  });

  for (const everyHours of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    it(`rejects an interval of ${everyHours} hours with a RangeError (it would never be due)`, () => {
      assert.throws(() => isJobDue(finished(HOUR_MS), everyHours, NOW), RangeError);
    });
  }
});
