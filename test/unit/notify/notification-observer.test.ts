import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { DeliveryResult } from '../../../src/adapters/notify/delivery.js';
import type { Notice } from '../../../src/adapters/notify/notice.js';
import { FileNotificationLog } from '../../../src/adapters/notify/notification-log.js';
import type { MessageSender } from '../../../src/adapters/notify/notification-sender.js';
import type { NotificationTarget } from '../../../src/adapters/notify/notification-settings.js';
import { NotificationObserver } from '../../../src/adapters/notify/notification.observer.js';
import type { RegistrySettings } from '../../../src/adapters/registry/registry-settings.js';
import { reportLocator } from '../../../src/adapters/reports/report-locator.js';
import { NO_REPORTS, type ReportLocator } from '../../../src/adapters/shared/report-location.js';
import type { JobReport } from '../../../src/domain/job-report.js';
import { aJob } from '../../builders/jobs.js';
import { aRunReport, type RepositoryShape } from '../../builders/notify-reports.js';
import { FixedClock } from '../../fakes/fixed-clock.js';
import { InMemoryStateStore } from '../../fakes/in-memory-state-store.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';

const START = new Date('2026-06-01T00:00:00Z');
const HOUR = 3_600_000;

class RecordingSender implements MessageSender {
  readonly sent: { target: string; notice: Notice }[] = [];
  /** Targets that are down: their sends fail after 5 attempts. */
  readonly down = new Set<string>();

  send(target: NotificationTarget, notice: Notice): Promise<DeliveryResult> {
    if (this.down.has(target.name)) {
      return Promise.resolve({
        delivered: false,
        attempts: 5,
        problem: 'network error ECONNREFUSED',
      });
    }
    this.sent.push({ target: target.name, notice });
    return Promise.resolve({ delivered: true, attempts: 1 });
  }

  reasons(target: string): string[][] {
    return this.sent
      .filter((entry) => entry.target === target)
      .map((entry) => (entry.notice.kind === 'run' ? [...entry.notice.summary.reasons] : ['test']));
  }
}

function slack(name: string, extra: Partial<NotificationTarget> = {}): NotificationTarget {
  return {
    name,
    type: 'slack',
    url: `https://hooks.slack.com/services/T0/B0/${name}-url-token`,
    headers: { Authorization: `Bearer ${name}-header-token` },
    on: ['failure', 'deleted', 'recovered'],
    jobs: ['*'],
    repeatIntervalMs: 6 * HOUR,
    ...extra,
  } as NotificationTarget;
}

const registry: RegistrySettings = {
  url: 'https://registry.example.com:5000',
  credentials: { username: 'u', password: 'registry-password' },
  timeoutMs: 1000,
  maxConcurrentRequests: 1,
  insecure: false,
  httpLogs: false,
};

const failing: RepositoryShape[] = [{ errors: ['tag dev-1: HTTP 503 after 5 attempts'] }];
const deleting: RepositoryShape[] = [{ deleted: ['dev-1'] }];
const idle: RepositoryShape[] = [{ kept: ['dev-1'] }];

describe('NotificationObserver', () => {
  let dir: string;
  let clock: FixedClock;
  let state: InMemoryStateStore;
  let sender: RecordingSender;
  let logger: RecordingLogger;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reg-cleaner-notify-'));
    clock = new FixedClock(START);
    state = new InMemoryStateStore();
    sender = new RecordingSender();
    logger = new RecordingLogger();
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** A fresh observer over the same state folder: a restart of the process. */
  function observer(
    targets: readonly NotificationTarget[],
    reports: ReportLocator = NO_REPORTS,
  ): NotificationObserver {
    return new NotificationObserver(
      targets,
      sender,
      new FileNotificationLog(dir, logger),
      state,
      registry,
      clock,
      logger,
      reports,
    );
  }

  /** jobStarted, then the run's state record, then jobFinished: the order RunJobs keeps. */
  async function run(
    notifier: NotificationObserver,
    repositories: readonly RepositoryShape[],
    shape: { mode?: 'watch' | 'manual'; dryRun?: boolean; jobName?: string } = {},
  ): Promise<JobReport> {
    const jobName = shape.jobName ?? 'clean-dev';
    const mode = shape.mode ?? 'watch';
    const dryRun = shape.dryRun ?? false;
    await notifier.jobStarted({
      job: aJob({ name: jobName }),
      mode,
      dryRun,
      startedAt: clock.now(),
      repositories: repositories.length,
    });
    const report = aRunReport(
      { jobName, mode, dryRun, startedAt: clock.now(), finishedAt: clock.now() },
      repositories,
    );
    await state.saveReport(report);
    await notifier.jobFinished({ report });
    return report;
  }

  it('one message per target per run, only to the targets of the job, only when something matched', async () => {
    const notifier = observer([slack('all'), slack('other-job', { jobs: ['nightly'] })]);
    await run(notifier, deleting);
    assert.deepEqual(sender.reasons('all'), [['deleted']]);
    assert.deepEqual(sender.reasons('other-job'), []);
    await run(notifier, idle);
    assert.equal(sender.sent.length, 1, 'a run that deleted nothing sends nothing');
    await run(notifier, deleting, { dryRun: true });
    assert.equal(sender.sent.length, 1, 'dry runs are off unless listed');
    const withDry = observer([slack('dry', { on: ['dry_run'] })]);
    await run(withDry, deleting, { dryRun: true });
    assert.deepEqual(sender.reasons('dry'), [['dry_run']]);
  });

  it('recovered: known from the state across a restart', async () => {
    await run(observer([slack('ops')]), failing);
    assert.deepEqual(sender.reasons('ops'), [['failure']]);
    const restarted = observer([slack('ops')]);
    await run(restarted, idle);
    assert.deepEqual(sender.reasons('ops'), [['failure'], ['recovered']]);
    await run(restarted, idle);
    assert.equal(sender.sent.length, 2, 'a second success is not a recovery');
  });

  it('watch: the same failure is sent again only after repeat_interval, also across a restart', async () => {
    const targets = [slack('ops')];
    await run(observer(targets), failing);
    clock.advanceHours(1);
    await run(observer(targets), failing);
    assert.equal(sender.sent.length, 1, 'same cause within 6 h: held back');
    assert.ok(logger.entries.some((entry) => /held back/.test(entry.message)));
    clock.advanceHours(1);
    await run(observer(targets), [{ errors: ['authentication refused'] }]);
    assert.equal(sender.sent.length, 2, 'another cause is news');
    clock.advanceHours(6);
    await run(observer(targets), [{ errors: ['authentication refused'] }]);
    assert.equal(sender.sent.length, 3, 'after repeat_interval it is sent again');
    await run(observer(targets), idle);
    await run(observer(targets), [{ errors: ['authentication refused'] }]);
    assert.deepEqual(sender.reasons('ops').slice(3), [['recovered'], ['failure']]);
  });

  it('one-shot runs are never held back', async () => {
    const notifier = observer([slack('ops')]);
    await run(notifier, failing, { mode: 'manual' });
    await run(notifier, failing, { mode: 'manual' });
    assert.equal(sender.sent.length, 2);
  });

  it('a target that is down is logged by name and host, recorded, retried next time, and blocks no other target', async () => {
    sender.down.add('down');
    const targets = [slack('down'), slack('up')];
    const notifier = observer(targets);
    await run(notifier, failing);
    assert.deepEqual(sender.reasons('up'), [['failure']]);
    const warning = logger.entries.find((entry) => entry.message === 'notification not delivered');
    assert.deepEqual(warning?.fields, {
      target: 'down',
      host: 'hooks.slack.com',
      job: 'clean-dev',
      attempts: 5,
      problem: 'network error ECONNREFUSED',
    });
    const file = await readFile(join(dir, 'notifications.json'), 'utf8');
    const stored = JSON.parse(file) as {
      targets: Record<string, Record<string, { last_delivery: { delivered: boolean } }>>;
    };
    assert.equal(stored.targets['down']?.['clean-dev']?.last_delivery.delivered, false);
    assert.equal(stored.targets['up']?.['clean-dev']?.last_delivery.delivered, true);
    for (const secret of ['url-token', 'header-token', 'registry-password']) {
      assert.ok(!file.includes(secret), `${secret} in notifications.json`);
      assert.ok(!logger.text().includes(secret), `${secret} in the log`);
    }
    assert.ok(
      !file.includes('HTTP 503'),
      'the state keeps a fingerprint of the cause, not the errors',
    );
    sender.down.clear();
    clock.advanceHours(1);
    await run(notifier, failing);
    assert.deepEqual(
      sender.reasons('down'),
      [['failure']],
      'an undelivered failure is not held back',
    );
    assert.deepEqual(sender.reasons('up'), [['failure']], 'a delivered one is');
  });

  it('the message carries the job, the registry host, counts and deleted tags, never the credentials', async () => {
    await run(observer([slack('ops')]), [{ deleted: ['dev-1', 'dev-2'], kept: ['v1'] }]);
    const [entry] = sender.sent;
    assert.ok(entry?.notice.kind === 'run');
    const { summary } = entry.notice;
    assert.equal(summary.registry, 'registry.example.com:5000');
    assert.deepEqual(summary.counts, { examined: 3, kept: 1, deleted: 2, untagged: 0, failed: 0 });
    assert.deepEqual(
      summary.deletedTags.map((tag) => tag.tag),
      ['dev-1', 'dev-2'],
    );
    assert.ok(!JSON.stringify(summary).includes('registry-password'));
  });

  it('the message names the job rules, the run report (path and link) and the journal undo command', async () => {
    const reports = reportLocator({
      dir: 'out/reports',
      formats: ['json', 'html'],
      keepLast: 5,
      baseUrl: 'https://ci.example.com/reg',
    });
    const notifier = observer([slack('ops')], reports);
    await notifier.jobStarted({
      job: aJob({ name: 'clean-dev', tagPatterns: ['dev-'], saveLast: 2, olderThanDays: 9 }),
      mode: 'manual',
      dryRun: false,
      startedAt: START,
      repositories: 1,
    });
    const report = {
      ...aRunReport({ jobName: 'clean-dev', startedAt: START, finishedAt: START }, deleting),
      journal: 'cache/journal/clean-dev/20260601T000000Z.jsonl',
    };
    await state.saveReport(report);
    await notifier.jobFinished({ report });
    const [entry] = sender.sent;
    assert.ok(entry?.notice.kind === 'run');
    const { summary } = entry.notice;
    assert.deepEqual(summary.report, {
      path: join('out/reports', 'clean-dev', '20260601T000000Z-real.html'),
      url: 'https://ci.example.com/reg/clean-dev/20260601T000000Z-real.html',
    });
    assert.equal(
      summary.undo?.command,
      'reg-cleaner --restore-from cache/journal/clean-dev/20260601T000000Z.jsonl',
    );
    assert.equal(summary.rules.find((rule) => rule.key === 'tag_regexps')?.value, 'dev-');
  });
});
