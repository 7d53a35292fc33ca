import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LastRealRun } from '../../../src/domain/job-report.js';
import { isJobDue, nextRun, type NextRunInput } from '../../../src/domain/schedule.js';

const NOW = new Date('2026-03-15T12:00:00Z');
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

function finished(msAgo: number, success = true): LastRealRun {
  return { finishedAt: new Date(NOW.getTime() - msAgo), success };
}

describe('isJobDue: section 4, watch mode runs a job when it is due', () => {
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
    });
  }

  for (const everyHours of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    it(`rejects an interval of ${everyHours} hours with a RangeError (it would never be due)`, () => {
      assert.throws(() => isJobDue(finished(HOUR_MS), everyHours, NOW), RangeError);
    });
  }
});

describe('nextRun: the watch-mode policy (interval, retry after failure, cron)', () => {
  const inHours = (hours: number): Date => new Date(NOW.getTime() + hours * HOUR_MS);
  /** A stand-in for the Scheduler port: fires on every whole hour after `after`. */
  const hourly = (_expression: string, after: Date): Date =>
    new Date(Math.floor(after.getTime() / HOUR_MS + 1) * HOUR_MS);
  const input = (overrides: Partial<NextRunInput>): NextRunInput => ({
    job: { cleanEveryHours: 6 },
    lastRealRun: undefined,
    lastRunHere: undefined,
    dryRun: false,
    now: NOW,
    nextCronTime: () => assert.fail('no cron expected'),
    ...overrides,
  });

  it('interval: never run -> now; succeeded 2 h ago every 6 h -> in 4 h', () => {
    assert.deepEqual(nextRun(input({})), { kind: 'now', reason: 'never-run' });
    assert.deepEqual(nextRun(input({ lastRealRun: finished(2 * HOUR_MS) })), {
      kind: 'at',
      at: inHours(4),
      reason: 'interval',
    });
  });

  it('a failure on record from before a restart is due now', () => {
    assert.deepEqual(nextRun(input({ lastRealRun: finished(MINUTE_MS, false) })), {
      kind: 'now',
      reason: 'last-failed',
    });
  });

  it('a failed run of this process is retried after min(interval, 1 h), never in a tight loop', () => {
    const failedHere = finished(0, false);
    assert.deepEqual(nextRun(input({ lastRealRun: failedHere, lastRunHere: failedHere })), {
      kind: 'at',
      at: inHours(1),
      reason: 'retry',
    });
    const halfHourly = { cleanEveryHours: 0.5 };
    assert.deepEqual(
      nextRun(input({ job: halfHourly, lastRealRun: failedHere, lastRunHere: failedHere })),
      { kind: 'at', at: inHours(0.5), reason: 'retry' },
    );
    const longAgo = finished(2 * HOUR_MS, false);
    assert.deepEqual(nextRun(input({ lastRealRun: longAgo, lastRunHere: longAgo })), {
      kind: 'now',
      reason: 'retry',
    });
  });

  it('a dry-run watch is paced by its own runs, not by the real run on record', () => {
    const here = finished(0);
    assert.deepEqual(
      nextRun(input({ dryRun: true, lastRealRun: finished(10 * HOUR_MS), lastRunHere: here })),
      { kind: 'at', at: inHours(6), reason: 'interval' },
    );
    // Before its first run, a dry-run watch honours the real record like a real one.
    assert.deepEqual(nextRun(input({ dryRun: true, lastRealRun: finished(HOUR_MS) })), {
      kind: 'at',
      at: inHours(5),
      reason: 'interval',
    });
  });

  it('cron: the next firing after the last successful run; a firing already past is now', () => {
    const job = { cleanEveryHours: 0, schedule: '0 * * * *' };
    let asked: { expression: string; after: Date } | undefined;
    const cron = (expression: string, after: Date): Date => {
      asked = { expression, after };
      return hourly(expression, after);
    };
    const last = { finishedAt: new Date(NOW.getTime() + 10 * MINUTE_MS), success: true };
    assert.deepEqual(nextRun(input({ job, lastRealRun: last, nextCronTime: cron })), {
      kind: 'at',
      at: inHours(1),
      reason: 'cron',
    });
    assert.deepEqual(asked, { expression: '0 * * * *', after: last.finishedAt });
    assert.deepEqual(
      nextRun(input({ job, lastRealRun: finished(3 * HOUR_MS), nextCronTime: cron })),
      { kind: 'now', reason: 'cron-fired' },
    );
  });

  it('cron: never run or failed on record -> now, without asking for a firing', () => {
    const job = { cleanEveryHours: 0, schedule: '0 * * * *' };
    assert.deepEqual(nextRun(input({ job })), { kind: 'now', reason: 'never-run' });
    assert.deepEqual(nextRun(input({ job, lastRealRun: finished(HOUR_MS, false) })), {
      kind: 'now',
      reason: 'last-failed',
    });
  });

  it('cron with no next firing is "never", not a long silent wait', () => {
    const job = { cleanEveryHours: 0, schedule: '0 0 31 2 *' };
    assert.deepEqual(
      nextRun(input({ job, lastRealRun: finished(HOUR_MS), nextCronTime: () => undefined })),
      { kind: 'never', reason: 'cron-never-fires' },
    );
  });
});
