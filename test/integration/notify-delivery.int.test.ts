import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { NotificationSender } from '../../src/adapters/notify/notification-sender.js';
import type {
  EmailTarget,
  HttpTarget,
  NotificationTarget,
} from '../../src/adapters/notify/notification-settings.js';
import type { Notice } from '../../src/adapters/notify/notice.js';
import { summariseRun } from '../../src/adapters/notify/run-summary.js';
import { capsFor } from '../../src/adapters/notify/notification-sender.js';
import { HttpPoster } from '../../src/adapters/notify/http-poster.js';
import { SystemClock } from '../../src/adapters/clock/system-clock.adapter.js';
import { aRunReport } from '../builders/notify-reports.js';
import { instantTiming } from '../fakes/instant-timing.js';
import { findFreePort } from '../../testkit/free-port.js';
import {
  mimePart,
  startHttpReceiver,
  startSmtpReceiver,
  type HttpReceiver,
} from '../support/notification-receivers.js';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const HEADER_TOKEN = 'Bearer header-value-secret-42';

const report = aRunReport({}, [
  { repository: 'team/app', deleted: ['dev-1', 'dev-2'], kept: ['latest'] },
]);

function notice(target: NotificationTarget): Notice {
  return {
    kind: 'run',
    summary: summariseRun(report, 'registry.example.com', ['deleted'], capsFor(target.type)),
  };
}

function httpTarget(
  type: HttpTarget['type'],
  url: string,
  extra: Partial<HttpTarget> = {},
): HttpTarget {
  return {
    name: `${type}-target`,
    type,
    url,
    headers: {},
    on: ['deleted'],
    jobs: ['*'],
    repeatIntervalMs: 3_600_000,
    ...extra,
  };
}

/** Real clock: standardwebhooks checks the timestamp against the real time. */
function sender(timing = instantTiming()) {
  return {
    timing,
    sender: new NotificationSender(new SystemClock(), timing, new HttpPoster(new SystemClock())),
  };
}

describe('webhook delivery to a loopback receiver', () => {
  let receiver: HttpReceiver;
  before(async () => {
    receiver = await startHttpReceiver();
  });
  after(() => receiver.stop());

  it('POSTs a CloudEvents envelope signed per Standard Webhooks, with the configured headers', async () => {
    const target = httpTarget('webhook', `${receiver.url}/hooks/secret-path-token`, {
      signingKey: Buffer.from(SECRET.slice('whsec_'.length), 'base64'),
      headers: { Authorization: HEADER_TOKEN },
    });
    const result = await sender().sender.send(target, notice(target));
    assert.deepEqual(result, { delivered: true, attempts: 1 });
    const [request] = receiver.requests;
    assert.ok(request !== undefined);
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/hooks/secret-path-token');
    assert.equal(request.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
    assert.equal(request.headers['authorization'], HEADER_TOKEN);
    // The receiver's own library verifies the signature over the exact body.
    const payload = new Webhook(SECRET).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    }) as Record<string, unknown>;
    assert.equal(payload['specversion'], '1.0');
    assert.equal(payload['type'], 'reg_cleaner.run.finished');
    assert.equal(payload['id'], request.headers['webhook-id']);
    const data = payload['data'] as {
      job: string;
      counts: { deleted: number };
      truncated: boolean;
    };
    assert.equal(data.job, 'clean-dev');
    assert.equal(data.counts.deleted, 2);
    assert.equal(data.truncated, false);
    assert.throws(() =>
      new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(request.body, {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      }),
    );
  });
});

describe('retries', () => {
  it('503 twice then 200: one message, delivered on the third attempt, one webhook-id', async () => {
    const receiver = await startHttpReceiver((index) => ({ status: index < 2 ? 503 : 200 }));
    try {
      const target = httpTarget('webhook', receiver.url, {
        signingKey: Buffer.from(SECRET.slice('whsec_'.length), 'base64'),
      });
      const { sender: send, timing } = sender();
      const result = await send.send(target, notice(target));
      assert.deepEqual(result, { delivered: true, attempts: 3 });
      assert.equal(receiver.requests.length, 3);
      const ids = new Set(receiver.requests.map((request) => request.headers['webhook-id']));
      assert.equal(ids.size, 1);
      const accepted = receiver.requests[2];
      assert.ok(accepted !== undefined);
      assert.equal(receiver.requests[0]?.body, accepted.body, 'the same event each time');
      assert.equal(timing.waits.length, 2, 'two backoffs, not waited for real');
    } finally {
      await receiver.stop();
    }
  });

  it('429 with Retry-After: waits what the receiver asks', async () => {
    const receiver = await startHttpReceiver((index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '3' } } : { status: 200 },
    );
    try {
      const target = httpTarget('slack', receiver.url);
      const { sender: send, timing } = sender();
      assert.equal((await send.send(target, notice(target))).delivered, true);
      assert.deepEqual(timing.waits, [3000]);
    } finally {
      await receiver.stop();
    }
  });

  it('a 404 is not retried; a receiver that is down is retried 4 times and named only by host', async () => {
    const gone = await startHttpReceiver(() => ({ status: 404, body: 'no_service' }));
    const port = await findFreePort();
    try {
      const { sender: send } = sender();
      const notFound = httpTarget('teams', `${gone.url}/workflows/token-in-path`);
      assert.deepEqual(await send.send(notFound, notice(notFound)), {
        delivered: false,
        attempts: 1,
        problem: 'HTTP 404 no_service',
      });
      const down = httpTarget('webhook', `http://127.0.0.1:${String(port)}/x?token=query-token`);
      const result = await send.send(down, notice(down));
      assert.deepEqual(result, {
        delivered: false,
        attempts: 5,
        problem: 'network error ECONNREFUSED',
      });
    } finally {
      await gone.stop();
    }
  });

  it('an attempt that gets no answer ends at its deadline and is retried', async () => {
    const receiver = await startHttpReceiver((index) => (index === 0 ? 'hang' : { status: 200 }));
    try {
      const target = httpTarget('webhook', receiver.url);
      const result = await sender(instantTiming(300)).sender.send(target, notice(target));
      assert.deepEqual(result, { delivered: true, attempts: 2 });
    } finally {
      await receiver.stop();
    }
  });
});

describe('Slack and Teams bodies at a loopback receiver', () => {
  it('Slack gets text and Block Kit blocks; Teams gets an Adaptive Card message', async () => {
    const receiver = await startHttpReceiver();
    try {
      const { sender: send } = sender();
      const slack = httpTarget('slack', `${receiver.url}/services/T0/B0/slack-token`);
      const teams = httpTarget('teams', `${receiver.url}/workflows/teams-token`);
      await send.send(slack, notice(slack));
      await send.send(teams, notice(teams));
      const [slackRequest, teamsRequest] = receiver.requests;
      assert.equal(slackRequest?.headers['content-type'], 'application/json; charset=utf-8');
      const slackBody = JSON.parse(slackRequest.body) as {
        text: string;
        blocks: { type: string }[];
      };
      assert.match(slackBody.text, /clean-dev/);
      assert.deepEqual(
        slackBody.blocks.map((block) => block.type),
        ['header', 'section', 'section'],
      );
      const teamsBody = JSON.parse(teamsRequest?.body ?? '') as {
        type: string;
        attachments: { contentType: string; content: { type: string; version: string } }[];
      };
      assert.equal(teamsBody.type, 'message');
      const [attachment, ...others] = teamsBody.attachments;
      assert.equal(others.length, 0);
      assert.equal(attachment?.contentType, 'application/vnd.microsoft.card.adaptive');
      assert.equal(attachment.content.type, 'AdaptiveCard');
    } finally {
      await receiver.stop();
    }
  });
});

describe('e-mail through a real SMTP server', () => {
  const credentials = { user: 'mailer', password: 'smtp-password-secret-7' };

  function emailTarget(smtpUrl: string): EmailTarget {
    return {
      name: 'mail',
      type: 'email',
      smtpUrl,
      from: 'reg-cleaner@example.com',
      to: ['platform@example.com', 'oncall@example.com'],
      on: ['deleted'],
      jobs: ['*'],
      repeatIntervalMs: 3_600_000,
    };
  }

  it('authenticates and delivers subject, text and HTML bodies to every recipient', async () => {
    const smtp = await startSmtpReceiver(credentials);
    try {
      const target = emailTarget(smtp.url);
      const result = await sender().sender.send(target, notice(target));
      assert.deepEqual(result, { delivered: true, attempts: 1 });
      const [mail] = smtp.mails;
      assert.ok(mail !== undefined);
      assert.equal(mail.user, 'mailer');
      assert.equal(mail.from, 'reg-cleaner@example.com');
      assert.deepEqual(mail.to, ['platform@example.com', 'oncall@example.com']);
      assert.match(mail.raw, /^Subject: \[reg-cleaner\] clean-dev: 2 deleted, 0 failed\r$/m);
      const text = mimePart(mail.raw, 'text/plain');
      const html = mimePart(mail.raw, 'text/html');
      assert.match(text ?? '', /Deleted: 2/);
      assert.match(text ?? '', /- team\/app:dev-1/);
      assert.match(html ?? '', /<li>team\/app:dev-2<\/li>/);
      assert.ok(!mail.raw.includes(credentials.password));
    } finally {
      await smtp.stop();
    }
  });

  it('a refused login is not retried and its problem holds no password', async () => {
    const smtp = await startSmtpReceiver(credentials);
    try {
      const target = emailTarget(
        smtp.url.replace('smtp-password-secret-7', 'wrong-password-secret'),
      );
      const result = await sender().sender.send(target, notice(target));
      assert.equal(result.delivered, false);
      assert.equal(result.attempts, 1);
      assert.match(result.problem ?? '', /^SMTP authentication refused/);
      assert.ok(!JSON.stringify(result).includes('secret'));
      assert.equal(smtp.mails.length, 0);
    } finally {
      await smtp.stop();
    }
  });
});
