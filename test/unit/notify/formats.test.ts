import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailContent } from '../../../src/adapters/notify/kinds/email.js';
import type { Notice } from '../../../src/adapters/notify/notice.js';
import { summariseRun } from '../../../src/adapters/notify/run-summary.js';
import { SLACK_CAPS, slackMessage } from '../../../src/adapters/notify/kinds/slack.js';
import { TEAMS_CAPS, teamsMessage } from '../../../src/adapters/notify/kinds/teams.js';
import { cloudEvent, WEBHOOK_CAPS } from '../../../src/adapters/notify/kinds/webhook.js';
import { aRunReport } from '../../builders/notify-reports.js';

const START = new Date('2026-06-01T00:00:00Z');
const END = new Date('2026-06-01T00:01:05Z');

const manyTags = Array.from({ length: 130 }, (_, index) => `dev-${String(index)}`);
const bigRun = aRunReport({ startedAt: START, finishedAt: END }, [
  { repository: 'team/app', deleted: manyTags, kept: ['latest'] },
  { repository: 'team/api', errors: ['tag v1: HTTP 503 <after> retries & more'] },
]);

function runNotice(caps = WEBHOOK_CAPS): Extract<Notice, { kind: 'run' }> {
  return {
    kind: 'run',
    summary: summariseRun(bigRun, 'registry.example.com:5000', ['failure', 'deleted'], caps),
  };
}

describe('run summary', () => {
  it('counts, caps the lists with what was left out, and flags the cut', () => {
    const { summary } = runNotice();
    assert.equal(summary.job, 'clean-dev');
    assert.equal(summary.registry, 'registry.example.com:5000');
    assert.equal(summary.status, 'failed');
    assert.deepEqual(summary.counts, {
      examined: 131,
      kept: 1,
      deleted: 130,
      untagged: 0,
      failed: 1,
    });
    assert.equal(summary.reclaimableBytes, 130 * 1_001_000);
    assert.equal(summary.durationMs, 65_000);
    assert.equal(summary.deletedTags.length, 100);
    assert.equal(summary.deletedTagsOmitted, 30);
    assert.deepEqual(summary.errors, ['team/api: tag v1: HTTP 503 <after> retries & more']);
    assert.equal(summary.truncated, true);
  });

  it('lists the job warnings, job-level first, capped like the errors, in every format', () => {
    const warned = aRunReport({ warnings: ['r/x/ matches no repository of the catalog'] }, [
      { repository: 'team9/typo', warnings: ['repository not found: 404 <NAME_UNKNOWN>'] },
    ]);
    const summary = summariseRun(warned, 'r', ['warning'], { tags: 10, errors: 1 });
    assert.deepEqual(summary.warnings, ['r/x/ matches no repository of the catalog']);
    assert.equal(summary.warningsOmitted, 1);
    assert.equal(summary.truncated, true);
    const full = summariseRun(warned, 'r', ['warning'], WEBHOOK_CAPS);
    const notice: Notice = { kind: 'run', summary: full };
    assert.match(
      JSON.stringify(slackMessage(notice)),
      /Warnings.*team9\/typo: repository not found: 404 &lt;NAME_UNKNOWN&gt;/,
    );
    assert.match(JSON.stringify(slackMessage(notice)), /:warning:/);
    assert.match(JSON.stringify(teamsMessage(notice)), /"Warnings"/);
    assert.match(emailContent(notice).text, /Warnings:\n {2}- r\/x\/ matches/);
    assert.match(emailContent(notice).html, /<h3>Warnings<\/h3>/);
    assert.deepEqual((cloudEvent(notice, 'id')['data'] as { warnings: string[] }).warnings, [
      'r/x/ matches no repository of the catalog',
      'team9/typo: repository not found: 404 <NAME_UNKNOWN>',
    ]);
  });

  it('a shard run names its shard in every format (issue 24)', () => {
    const report = {
      ...aRunReport({}, [{ repository: 'team/app' }]),
      shard: { index: 1, count: 3 },
    };
    const summary = summariseRun(report, 'r', ['always'], WEBHOOK_CAPS);
    assert.equal(summary.job, 'clean-dev');
    assert.equal(summary.shard, '1/3');
    const notice: Notice = { kind: 'run', summary };
    for (const text of [
      JSON.stringify(slackMessage(notice)),
      JSON.stringify(teamsMessage(notice)),
      emailContent(notice).subject,
      emailContent(notice).text,
    ]) {
      assert.match(text, /clean-dev \(shard 1\/3\)/);
    }
    assert.equal((cloudEvent(notice, 'id')['data'] as { shard: string }).shard, '1/3');
    const unsharded = summariseRun(aRunReport({}, []), 'r', ['always'], WEBHOOK_CAPS);
    assert.equal('shard' in unsharded, false);
  });

  it('a dry run lists what would be deleted', () => {
    const dry = aRunReport({ dryRun: true }, [{ deleted: ['dev-1'] }]);
    const summary = summariseRun(dry, 'r', ['dry_run'], WEBHOOK_CAPS);
    assert.deepEqual(summary.deletedTags, [{ repository: 'team/app', tag: 'dev-1' }]);
    assert.equal(summary.truncated, false);
  });
});

describe('formats', () => {
  it('webhook: a CloudEvents 1.0 envelope whose data is the summary', () => {
    const event = cloudEvent(runNotice(), 'id-1');
    assert.equal(event['specversion'], '1.0');
    assert.equal(event['type'], 'reg_cleaner.run.finished');
    assert.equal(event['id'], 'id-1');
    assert.equal(event['subject'], 'clean-dev');
    assert.equal(event['time'], END.toISOString());
    assert.match(String(event['source']), /^urn:reg-cleaner:registry:registry\.example\.com:5000$/);
    assert.equal((event['data'] as { truncated: boolean }).truncated, true);
  });

  it('slack: text and blocks within Block Kit limits, "and N more", mrkdwn escaped', () => {
    const message = slackMessage(runNotice(SLACK_CAPS));
    assert.match(
      String(message['text']),
      /job clean-dev on registry.example.com:5000 failed: 130 deleted, 1 failed/,
    );
    const blocks = message['blocks'] as {
      type: string;
      text?: { text: string };
      fields?: unknown[];
    }[];
    assert.equal(blocks[0]?.type, 'header');
    assert.ok((blocks[1]?.fields?.length ?? 0) <= 10);
    const texts = blocks.map((block) => block.text?.text ?? '').join('\n');
    assert.match(texts, /and 115 more/);
    assert.match(texts, /HTTP 503 &lt;after&gt; retries &amp; more/);
    for (const block of blocks) assert.ok((block.text?.text.length ?? 0) <= 3000);
  });

  it('teams: a message with one Adaptive Card attachment', () => {
    const message = teamsMessage(runNotice(TEAMS_CAPS));
    assert.equal(message['type'], 'message');
    const [attachment] = message['attachments'] as {
      contentType: string;
      content: { type: string; version: string; body: { type: string; text?: string }[] };
    }[];
    assert.equal(attachment?.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(attachment.content.type, 'AdaptiveCard');
    assert.ok(attachment.content.body.some((element) => element.type === 'FactSet'));
    assert.ok(attachment.content.body.some((element) => element.text === 'and 110 more'));
  });

  it('email: the subject of the issue, text and escaped HTML bodies, (dry run) marked', () => {
    const content = emailContent(runNotice());
    assert.equal(content.subject, '[reg-cleaner] clean-dev: 130 deleted, 1 failed');
    assert.match(content.text, /Registry: registry.example.com:5000/);
    assert.match(content.text, /Reclaimable: 130 MB after garbage collection/);
    assert.match(content.html, /HTTP 503 &lt;after&gt; retries &amp; more/);
    const dry = aRunReport({ dryRun: true }, [{ deleted: ['dev-1'] }]);
    const dryContent = emailContent({
      kind: 'run',
      summary: summariseRun(dry, 'r', ['dry_run'], WEBHOOK_CAPS),
    });
    assert.equal(dryContent.subject, '[reg-cleaner] clean-dev: 1 deleted, 0 failed (dry run)');
  });

  it('a test message says so in every format', () => {
    const notice: Notice = { kind: 'test', target: 'ops', registry: 'r', sentAt: START };
    assert.match(JSON.stringify(slackMessage(notice)), /TEST MESSAGE/);
    assert.match(JSON.stringify(teamsMessage(notice)), /TEST MESSAGE/);
    assert.equal(cloudEvent(notice, 'x')['type'], 'reg_cleaner.notification.test');
    assert.match(emailContent(notice).subject, /TEST message for target ops/);
  });
});
