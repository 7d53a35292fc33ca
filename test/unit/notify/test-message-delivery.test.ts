import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpPoster } from '../../../src/adapters/notify/http-poster.js';
import { SystemClock } from '../../../src/adapters/clock/system-clock.adapter.js';
import type { Notice } from '../../../src/adapters/notify/notice.js';
import { NotificationSender } from '../../../src/adapters/notify/notification-sender.js';
import type { HttpTarget } from '../../../src/adapters/notify/notification-settings.js';
import { summariseRun } from '../../../src/adapters/notify/run-summary.js';
import { SLACK_CAPS } from '../../../src/adapters/notify/kinds/slack.js';
import { aRunReport } from '../../builders/notify-reports.js';
import { instantTiming } from '../../fakes/instant-timing.js';
import { findFreePort } from '../../../testkit/free-port.js';

const testNotice: Notice = {
  kind: 'test',
  target: 'ops',
  registry: 'registry.example.com',
  sentAt: new Date('2026-06-01T00:00:00Z'),
};

function slackAt(url: string): HttpTarget {
  return {
    name: 'ops',
    type: 'slack',
    url,
    headers: {},
    on: ['failure'],
    jobs: ['*'],
    repeatIntervalMs: 3_600_000,
  };
}

describe('--test-notifications against a target that is down (issue 27)', () => {
  // A loopback server that accepts connections and never answers, counting them.
  let server: Server;
  const sockets: Socket[] = [];
  let silentUrl = '';
  before(async () => {
    server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address !== null && typeof address === 'object');
    silentUrl = `http://127.0.0.1:${String(address.port)}/hook`;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives a target that never answers one attempt, under the per-attempt deadline', async () => {
    const timing = instantTiming(300);
    const sender = new NotificationSender(
      new SystemClock(),
      timing,
      new HttpPoster(new SystemClock()),
    );
    const result = await sender.send(slackAt(silentUrl), testNotice);
    assert.deepEqual(result, { delivered: false, attempts: 1, problem: 'no answer within 0.3 s' });
    assert.equal(sockets.length, 1);
    assert.deepEqual(timing.waits, []);
  });

  it('gives a target that refuses one attempt, and says why', async () => {
    const port = await findFreePort();
    const timing = instantTiming();
    const sender = new NotificationSender(
      new SystemClock(),
      timing,
      new HttpPoster(new SystemClock()),
    );
    const url = `http://127.0.0.1:${String(port)}/hook`;
    const result = await sender.send(slackAt(url), testNotice);
    assert.deepEqual(result, {
      delivered: false,
      attempts: 1,
      problem: 'network error ECONNREFUSED',
    });
    assert.deepEqual(timing.waits, []);
    // A real notice still retries: only the test message is cut short.
    const summary = summariseRun(
      aRunReport({}, []),
      'registry.example.com',
      ['failure'],
      SLACK_CAPS,
    );
    const run = await sender.send(slackAt(url), { kind: 'run', summary });
    assert.equal(run.attempts, 5);
  });
});
