import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_NOTIFY_ON,
  failureCause,
  isRepeatHeldBack,
  NOTIFY_ON_VALUES,
  notifyReasons,
  restoreReasons,
  targetsJob,
} from '../../../src/domain/notification-policy.js';
import { aRunReport } from '../../builders/notify-reports.js';

const AT = new Date('2026-06-01T12:00:00Z');
const failedBefore = { finishedAt: new Date('2026-06-01T00:00:00Z'), success: false };
const succeededBefore = { finishedAt: new Date('2026-06-01T00:00:00Z'), success: true };

describe('notifyReasons', () => {
  it('warning: a run with a job or repository warning, for targets that list it (not by default)', () => {
    const jobLevel = aRunReport({ warnings: ['r/x/ matches no repository of the catalog'] });
    const quiet = aRunReport({}, [{ kept: ['dev-1'] }]);
    assert.deepEqual(notifyReasons(jobLevel, succeededBefore, ['warning']), ['warning']);
    assert.deepEqual(notifyReasons(jobLevel, succeededBefore, DEFAULT_NOTIFY_ON), []);
    assert.deepEqual(notifyReasons(quiet, succeededBefore, ['warning']), []);
  });

  it('restored is never a reason for a job run; a restore is told to restored and always', () => {
    const report = aRunReport({ warnings: ['w'] }, [{ deleted: ['dev-1'] }]);
    assert.ok(!notifyReasons(report, succeededBefore, NOTIFY_ON_VALUES).includes('restored'));
    assert.deepEqual(restoreReasons(NOTIFY_ON_VALUES), ['restored', 'always']);
    assert.deepEqual(restoreReasons(['restored']), ['restored']);
    assert.deepEqual(restoreReasons(DEFAULT_NOTIFY_ON), []);
  });

  it('a real run that deleted: deleted (and always); nothing else', () => {
    const report = aRunReport({}, [{ deleted: ['dev-1'] }]);
    assert.deepEqual(notifyReasons(report, succeededBefore, NOTIFY_ON_VALUES), [
      'deleted',
      'always',
    ]);
  });

  it('a run that deleted nothing and succeeded matches nothing of the default', () => {
    const report = aRunReport({}, [{ kept: ['dev-1'] }]);
    assert.deepEqual(notifyReasons(report, succeededBefore, DEFAULT_NOTIFY_ON), []);
    assert.deepEqual(notifyReasons(report, undefined, DEFAULT_NOTIFY_ON), []);
  });

  it('failure: a failed run and an interrupted one', () => {
    const failed = aRunReport({}, [{ errors: ['tag dev-1: HTTP 503'] }]);
    const interrupted = aRunReport({ interrupted: true }, [{ deleted: ['dev-1'] }]);
    assert.deepEqual(notifyReasons(failed, succeededBefore, DEFAULT_NOTIFY_ON), ['failure']);
    assert.deepEqual(notifyReasons(interrupted, succeededBefore, DEFAULT_NOTIFY_ON), [
      'failure',
      'deleted',
    ]);
  });

  it('recovered: a real success after a failed real run, not after a success, not in a dry run', () => {
    const ok = aRunReport({}, [{ kept: ['dev-1'] }]);
    assert.deepEqual(notifyReasons(ok, failedBefore, DEFAULT_NOTIFY_ON), ['recovered']);
    assert.deepEqual(notifyReasons(ok, succeededBefore, DEFAULT_NOTIFY_ON), []);
    const dry = aRunReport({ dryRun: true }, [{ deleted: ['dev-1'] }]);
    assert.deepEqual(notifyReasons(dry, failedBefore, DEFAULT_NOTIFY_ON), []);
    assert.deepEqual(notifyReasons(dry, failedBefore, ['dry_run']), ['dry_run']);
  });

  it('a dry run that would delete is not "deleted"', () => {
    const dry = aRunReport({ dryRun: true }, [{ deleted: ['dev-1'] }]);
    assert.equal(dry.totals.deleted, 1);
    assert.deepEqual(notifyReasons(dry, undefined, ['deleted']), []);
  });

  it('targetsJob: "*" or the name', () => {
    assert.equal(targetsJob(['*'], 'a'), true);
    assert.equal(targetsJob(['a', 'b'], 'b'), true);
    assert.equal(targetsJob(['a'], 'b'), false);
  });
});

describe('failureCause and the repeat hold-back', () => {
  it('the same errors on other tags and with other numbers are the same cause; another error is not', () => {
    const first = aRunReport({}, [{ errors: ['tag dev-1: HTTP 503 after 5 attempts'] }]);
    const second = aRunReport({}, [{ errors: ['tag dev-7: HTTP 503 after 4 attempts'] }]);
    const other = aRunReport({}, [{ errors: ['tag dev-1: authentication refused'] }]);
    assert.equal(failureCause(first), failureCause(second));
    assert.notEqual(failureCause(first), failureCause(other));
    const elsewhere = aRunReport({}, [
      { repository: 'team/other', errors: ['tag dev-1: HTTP 503'] },
    ]);
    assert.notEqual(failureCause(first), failureCause(elsewhere));
  });

  it('holds back a failure-only message with the same cause within the interval, not after it', () => {
    const hour = 3_600_000;
    const last = { cause: 'c', sentAt: AT };
    const later = (hours: number) => new Date(AT.getTime() + hours * hour);
    assert.equal(isRepeatHeldBack(['failure'], 'c', last, later(5.9), 6 * hour), true);
    assert.equal(isRepeatHeldBack(['failure'], 'c', last, later(6), 6 * hour), false);
    assert.equal(isRepeatHeldBack(['failure'], 'other', last, later(1), 6 * hour), false);
    assert.equal(isRepeatHeldBack(['failure', 'deleted'], 'c', last, later(1), 6 * hour), false);
    assert.equal(isRepeatHeldBack(['failure', 'always'], 'c', last, later(1), 6 * hour), false);
    assert.equal(isRepeatHeldBack(['failure'], 'c', undefined, later(1), 6 * hour), false);
  });
});
