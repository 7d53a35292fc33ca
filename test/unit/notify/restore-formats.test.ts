import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailContent } from '../../../src/adapters/notify/kinds/email.js';
import type { Notice } from '../../../src/adapters/notify/notice.js';
import { summariseRestore } from '../../../src/adapters/notify/restore-summary.js';
import { slackMessage } from '../../../src/adapters/notify/kinds/slack.js';
import { teamsMessage } from '../../../src/adapters/notify/kinds/teams.js';
import { cloudEvent } from '../../../src/adapters/notify/kinds/webhook.js';
import type { RestoreReport } from '../../../src/domain/restore-report.js';

const AT = new Date('2026-06-01T12:00:00Z');

const report: RestoreReport = {
  dryRun: false,
  journals: ['cache/journal/clean/20260601T000000Z.jsonl'],
  jobs: ['clean'],
  tags: [
    { repository: 'team/app', tag: 'v1', digest: 'sha256:1', outcome: { status: 'restored' } },
    { repository: 'team/app', tag: 'v2', digest: 'sha256:2', outcome: { status: 'restored' } },
    { repository: 'team/app', tag: 'v3', digest: 'sha256:3', outcome: { status: 'in-place' } },
    {
      repository: 'team/api',
      tag: 'v9',
      digest: 'sha256:9',
      outcome: { status: 'refused', reason: 'layer blob sha256:x is gone <gc>' },
    },
  ],
};

function notice(caps = { tags: 10, errors: 10 }): Extract<Notice, { kind: 'restored' }> {
  const summary = summariseRestore(
    report,
    { registry: 'registry.example.com', reasons: ['restored'], finishedAt: AT },
    caps,
  );
  return { kind: 'restored', summary };
}

describe('restore notifications', () => {
  it('say what was put back and what could not be, capped with what was left out', () => {
    const { summary } = notice({ tags: 1, errors: 10 });
    assert.equal(summary.status, 'incomplete');
    assert.deepEqual(summary.counts, {
      restored: 2,
      alreadyInPlace: 1,
      leftAlone: 0,
      notRestored: 1,
    });
    assert.deepEqual(summary.restored, ['team/app:v1']);
    assert.equal(summary.restoredOmitted, 1);
    assert.deepEqual(summary.notRestored, ['team/api:v9: layer blob sha256:x is gone <gc>']);
    assert.equal(summary.truncated, true);
  });

  it('every format carries it: webhook event type, Slack, Teams, e-mail (escaped)', () => {
    const event = cloudEvent(notice(), 'id-1');
    assert.equal(event['type'], 'reg_cleaner.restore.finished');
    assert.equal(event['subject'], 'clean');
    const slack = JSON.stringify(slackMessage(notice()));
    assert.match(
      slack,
      /restore of clean on registry.example.com incomplete: restored 2, not restored 1/,
    );
    assert.match(slack, /is gone &lt;gc&gt;/);
    assert.match(JSON.stringify(teamsMessage(notice())), /"Not restored"/);
    const mail = emailContent(notice());
    assert.equal(
      mail.subject,
      '[reg-cleaner] restore of clean on registry.example.com incomplete: restored 2, not restored 1',
    );
    assert.match(mail.text, /Restored:\n {2}- team\/app:v1\n {2}- team\/app:v2/);
    assert.match(mail.html, /is gone &lt;gc&gt;/);
  });
});
