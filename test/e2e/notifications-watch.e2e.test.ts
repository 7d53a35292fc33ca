import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Clock } from '../../src/application/ports/clock.port.js';
import { Registry } from '../../src/application/ports/registry.port.js';
import { Scheduler, type ScheduledTask } from '../../src/application/ports/scheduler.port.js';
import { WatchJobs } from '../../src/application/watch-jobs.use-case.js';
import { FileManifestCache } from '../../src/adapters/registry/cache/file-manifest-cache.adapter.js';
import { DeliveryTiming } from '../../src/adapters/notify/delivery.js';
import type { NotificationTarget } from '../../src/adapters/notify/notification-settings.js';
import { HttpDockerRegistry } from '../../src/adapters/registry/http-docker-registry.adapter.js';
import { ManifestCache } from '../../src/adapters/registry/cache/manifest-cache.js';
import { buildContainer, closeContainer } from '../../src/container.js';
import { aJob } from '../builders/jobs.js';
import { FixedClock } from '../fakes/fixed-clock.js';
import { instantTiming } from '../fakes/instant-timing.js';
import { ManualScheduler } from '../fakes/manual-scheduler.js';
import { RecordingLogger } from '../fakes/recording-logger.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { startHttpReceiver } from '../support/notification-receivers.js';
import { listTags, pushImage } from '../../testkit/push-image.js';
import { startRegistry } from '../../testkit/registry-server.js';
import { DAY_MS } from '../../testkit/dates.js';

/** ManualScheduler that also tells when the next run has been planned (a run is over). */
class SignallingScheduler extends ManualScheduler {
  private waiters: (() => void)[] = [];

  override at(at: Date, task: () => void): ScheduledTask {
    const scheduled = super.at(at, task);
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
    return scheduled;
  }

  nextPlanned(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

interface CloudEventBody {
  readonly type: string;
  readonly data: {
    readonly status: string;
    readonly reasons: string[];
    readonly counts: { deleted: number };
  };
}

describe('notifications in --watch, against a real registry, with the clock injected', () => {
  it('fail, fail (one message), succeed (recovered), then a run that deletes nothing sends nothing', async () => {
    const registry = await startRegistry({ auth: 'none' });
    const proxy = await startFaultProxy(registry.url);
    const receiver = await startHttpReceiver();
    const stateDir = await mkdtemp(join(tmpdir(), 'reg-cleaner-notify-watch-'));
    try {
      const start = new Date();
      for (const tag of ['dev-1', 'dev-2']) {
        await pushImage(registry, 'team/app', [tag], {
          created: new Date(start.getTime() - 30 * DAY_MS),
        });
      }
      // The registry answers 500 to the tag list: the run fails, and it is not retried (500 is no 503).
      proxy.addRule({
        method: 'GET',
        path: /\/tags\/list/,
        fault: { kind: 'status', status: 500 },
      });

      const target: NotificationTarget = {
        name: 'audit',
        type: 'webhook',
        url: `${receiver.url}/hook`,
        headers: {},
        on: ['failure', 'deleted', 'recovered'],
        jobs: ['*'],
        repeatIntervalMs: 6 * 3_600_000,
      };
      const container = await buildContainer({
        registry: {
          url: proxy.url,
          timeoutMs: 10_000,
          maxConcurrentRequests: 4,
          insecure: false,
          httpLogs: false,
        },
        stateDir,
        logger: new RecordingLogger(),
        reportStream: { write: () => true },
        watch: true,
        notifications: [target],
      });
      const clock = new FixedClock(start);
      const scheduler = new SignallingScheduler(clock);
      container.rebind(Clock).toConstantValue(clock);
      container.rebind(Scheduler).toConstantValue(scheduler);
      container.rebind(DeliveryTiming).toConstantValue(instantTiming());

      const job = aJob({
        name: 'clean-dev',
        tagPatterns: ['dev-'],
        saveLast: 0,
        olderThanDays: 5,
        cleanEveryHours: 2,
      });
      const controller = new AbortController();
      const hours = (count: number) => new Date(start.getTime() + count * 3_600_000);
      const bodies = () =>
        receiver.requests.map((request) => JSON.parse(request.body) as CloudEventBody);

      // Run 1 fails: one failure message.
      let planned = scheduler.nextPlanned();
      const done = container
        .get(WatchJobs)
        .execute([job], { dryRun: false, signal: controller.signal });
      await planned;
      assert.deepEqual(scheduler.waiting(), [hours(1)], 'a failed job is retried after an hour');
      assert.deepEqual(
        bodies().map((body) => [body.data.status, body.data.reasons]),
        [['failed', ['failure']]],
      );

      // Run 2 fails the same way an hour later: held back (repeat_interval is 6 h).
      planned = scheduler.nextPlanned();
      scheduler.advanceTo(hours(1));
      await planned;
      assert.equal(receiver.requests.length, 1, 'the same failure is not sent again');

      // Run 3: the registry answers again; the run deletes both tags and says it recovered.
      proxy.clearRules();
      planned = scheduler.nextPlanned();
      scheduler.advanceTo(hours(2));
      await planned;
      assert.deepEqual(await listTags(registry, 'team/app'), []);
      const third = bodies()[1];
      assert.equal(third?.type, 'reg_cleaner.run.finished');
      assert.equal(third.data.status, 'succeeded');
      assert.deepEqual(third.data.reasons, ['deleted', 'recovered']);
      assert.equal(third.data.counts.deleted, 2);

      // Run 4, two hours later: nothing left to delete, nothing to say.
      planned = scheduler.nextPlanned();
      scheduler.advanceTo(hours(4));
      await planned;
      assert.equal(receiver.requests.length, 2, 'a run that deletes nothing sends nothing');

      controller.abort();
      await done;
      const stored = await readFile(join(stateDir, 'notifications.json'), 'utf8');
      assert.match(stored, /"delivered": true/);
      await closeContainer(container, {});
      const adapter = container.get<Registry>(Registry);
      if (adapter instanceof HttpDockerRegistry) adapter.close();
      const cache = container.get<ManifestCache>(ManifestCache);
      if (cache instanceof FileManifestCache) cache.dispose();
    } finally {
      await receiver.stop();
      await proxy.stop();
      await registry.stop();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
