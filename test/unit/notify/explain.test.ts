import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailContent } from '../../../src/adapters/notify/kinds/email.js';
import { summariseRun, type RunContext } from '../../../src/adapters/notify/run-summary.js';
import { SLACK_CAPS, slackMessage } from '../../../src/adapters/notify/kinds/slack.js';
import { TEAMS_CAPS, teamsMessage } from '../../../src/adapters/notify/kinds/teams.js';
import { cloudEvent, WEBHOOK_CAPS } from '../../../src/adapters/notify/kinds/webhook.js';
import type { ListCaps } from '../../../src/adapters/notify/run-summary.js';
import { aJob } from '../../builders/jobs.js';
import { aRunReport } from '../../builders/notify-reports.js';

// Issue 27 item 6: a message says why (the rules), how to undo (the journal's command) and
// where the report is, and lists deleted tags by repository and tag.

const JOURNAL = 'cache/journal/clean-dev/20260601T000000Z.jsonl';
const job = aJob({
  name: 'clean-dev',
  repositories: ['team/app', 'r/team/.*/'],
  tagPatterns: ['dev-', 'release-'],
  saveLast: 3,
  olderThanDays: 14,
});
const context: RunContext = {
  job,
  report: {
    path: 'reports/clean-dev/20260601T000000Z-real.html',
    url: 'https://ci.example.com/reg/clean-dev/20260601T000000Z-real.html',
  },
};
// Repositories finish in any order; deletions are recorded in completion order.
const real = {
  ...aRunReport({}, [
    { repository: 'team/web', deleted: ['dev-9', 'dev-10'] },
    { repository: 'team/app', deleted: ['dev-2', 'dev-1'] },
  ]),
  journal: JOURNAL,
};

function summary(caps: ListCaps = WEBHOOK_CAPS, extra: RunContext = context) {
  return summariseRun(real, 'registry.example.com', ['deleted'], caps, extra);
}

describe('run summary: why, undo, where', () => {
  it('summarises the rules of the job, patterns, older_than_days and save_last', () => {
    const rules = Object.fromEntries(summary().rules.map((rule) => [rule.key, rule.value]));
    assert.equal(rules['repositories'], 'team/app, r/team/.*/');
    assert.equal(rules['tag_regexps'], 'dev-, release-');
    assert.match(rules['older_than_days'] ?? '', /^14 days/);
    assert.match(rules['save_last'] ?? '', /^3 newest old tags per pattern kept/);
  });

  it('gives the undo command naming the run journal, and a dry run has none', () => {
    assert.deepEqual(summary().undo, {
      journal: JOURNAL,
      command: `reg-cleaner --restore-from ${JOURNAL}`,
      preview: `reg-cleaner --restore-from ${JOURNAL} --dry-run`,
    });
    const dry = aRunReport({ dryRun: true }, [{ deleted: ['dev-1'] }]);
    assert.equal(summariseRun(dry, 'r', ['dry_run'], WEBHOOK_CAPS, context).undo, undefined);
  });

  it('sorts deleted tags by repository, then tag (code points), before capping', () => {
    assert.deepEqual(
      summary().deletedTags.map((tag) => `${tag.repository}:${tag.tag}`),
      ['team/app:dev-1', 'team/app:dev-2', 'team/web:dev-10', 'team/web:dev-9'],
    );
    const capped = summary({ tags: 1, errors: 1 });
    assert.deepEqual(capped.deletedTags, [{ repository: 'team/app', tag: 'dev-1' }]);
    assert.equal(capped.deletedTagsOmitted, 3);
  });

  it('without a job or a report, the message has no rules and no report, and says so in no format', () => {
    const bare = summary(SLACK_CAPS, {});
    assert.deepEqual(bare.rules, []);
    assert.equal(bare.report, undefined);
    assert.doesNotMatch(JSON.stringify(slackMessage({ kind: 'run', summary: bare })), /Rules/);
  });
});

describe('every format shows the rules, the undo command and the report', () => {
  it('slack: Rules, Undo (as code) and a Report link', () => {
    const text = JSON.stringify(slackMessage({ kind: 'run', summary: summary(SLACK_CAPS) }));
    assert.match(text, /\*Rules\*/);
    assert.match(text, /\*Tag patterns\*: dev-, release-/);
    assert.match(
      text,
      /```reg-cleaner --restore-from cache\/journal\/clean-dev\/20260601T000000Z\.jsonl```/,
    );
    assert.match(
      text,
      /\*Report\*: <https:\/\/ci\.example\.com\/reg\/clean-dev\/20260601T000000Z-real\.html\|reports\/clean-dev\/20260601T000000Z-real\.html>/,
    );
  });

  it('teams: a Rules fact set, the undo command in monospace, a Markdown link', () => {
    const card = JSON.stringify(teamsMessage({ kind: 'run', summary: summary(TEAMS_CAPS) }));
    assert.match(card, /"title":"Save last","value":"3 newest old tags per pattern kept"/);
    assert.match(card, /"text":"reg-cleaner --restore-from [^"]+\.jsonl","fontType":"Monospace"/);
    assert.match(
      card,
      /\[reports\/clean-dev\/20260601T000000Z-real\.html\]\(https:\/\/ci\.example\.com\//,
    );
  });

  it('email: rules, undo and the report in the text and the HTML', () => {
    const content = emailContent({ kind: 'run', summary: summary() });
    assert.match(content.text, /^Report: https:\/\/ci\.example\.com\/reg\/clean-dev\//m);
    assert.match(content.text, /^ {2}Older than: 14 days/m);
    assert.match(
      content.text,
      /^ {4}reg-cleaner --restore-from cache\/journal\/clean-dev\/20260601T000000Z\.jsonl$/m,
    );
    assert.match(
      content.html,
      /<a href="https:\/\/ci\.example\.com\/reg\/clean-dev\/20260601T000000Z-real\.html">/,
    );
    assert.match(content.html, /<pre><code>reg-cleaner --restore-from /);
  });

  it('webhook: the summary carries rules, undo and report as data', () => {
    const data = cloudEvent({ kind: 'run', summary: summary() }, 'id')['data'] as {
      rules: { key: string }[];
      undo: { command: string };
      report: { url: string };
    };
    assert.deepEqual(
      data.rules.map((rule) => rule.key),
      ['repositories', 'tag_regexps', 'older_than_days', 'save_last'],
    );
    assert.match(data.undo.command, /--restore-from/);
    assert.match(data.report.url, /^https:\/\/ci\.example\.com\//);
  });

  it('a dry run says there is nothing to undo; a path without base_url is shown as a path', () => {
    const dry = summariseRun(
      aRunReport({ dryRun: true }, [{ deleted: ['dev-1'] }]),
      'r',
      ['dry_run'],
      SLACK_CAPS,
      {
        job,
        report: { path: 'reports/clean-dev/x-dry.html' },
      },
    );
    const text = JSON.stringify(slackMessage({ kind: 'run', summary: dry }));
    assert.match(text, /nothing to undo/);
    assert.match(text, /\*Report\*: `reports\/clean-dev\/x-dry\.html`/);
    assert.match(
      emailContent({ kind: 'run', summary: dry }).text,
      /^Report: reports\/clean-dev\/x-dry\.html$/m,
    );
  });
});
