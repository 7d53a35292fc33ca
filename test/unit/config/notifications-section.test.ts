import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNotificationsSection } from '../../../src/adapters/config/notifications-section.js';
import { loadFails, loadOk, tempConfigDir } from './config-test-support.js';

const MANUAL = `
- name: clean-dev
  repositories: [team/app]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
`;

/** 32 bytes, as `openssl rand -base64 32` prints them. */
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

function withConfig<T>(notifications: string, use: (dir: string) => T): T {
  const folder = tempConfigDir({
    'config.yaml': `registry_url: https://registry.example.com\nnotifications:\n${notifications}`,
    'manual.yaml': MANUAL,
  });
  try {
    return use(folder.dir);
  } finally {
    folder.remove();
  }
}

describe('config.yaml notifications:', () => {
  it('reads one target of each type, with defaults, __ENV values and a decoded signing key', () => {
    const env = {
      SLACK_URL: 'https://hooks.slack.com/services/T000/B000/slack-token-1',
      HOOK_SECRET: SECRET,
      HOOK_TOKEN: 'Bearer header-token-1',
      SMTP_URL: 'smtp://mailer:smtp-pass-1@mail.example.com:2525',
    };
    const config = withConfig(
      `  - name: ops-slack
    type: slack
    url: "__ENV: SLACK_URL"
  - name: ops-teams
    type: teams
    url: https://example.webhook.office.com/workflows/abc
    on: [always]
    jobs: [clean-dev]
  - name: audit
    type: webhook
    url: https://hooks.example.com/reg-cleaner
    secret: "__ENV:HOOK_SECRET"
    headers: { Authorization: "__ENV: HOOK_TOKEN" }
    repeat_interval: 30m
  - name: mail
    type: email
    smtp_url: "__ENV: SMTP_URL"
    from: reg-cleaner@example.com
    to: platform@example.com
`,
      (dir) => loadOk(dir, env),
    );
    const [slack, teams, webhook, mail] = config.notifications ?? [];
    assert.ok(slack?.type === 'slack');
    assert.equal(slack.url, env.SLACK_URL);
    assert.deepEqual(slack.on, ['failure', 'deleted', 'recovered']);
    assert.deepEqual(slack.jobs, ['*']);
    assert.equal(slack.repeatIntervalMs, 6 * 3_600_000);
    assert.ok(teams?.type === 'teams');
    assert.deepEqual([teams.on, teams.jobs], [['always'], ['clean-dev']]);
    assert.ok(webhook?.type === 'webhook');
    assert.deepEqual(webhook.headers, { Authorization: 'Bearer header-token-1' });
    assert.deepEqual(webhook.signingKey, Buffer.alloc(32, 7));
    assert.equal(webhook.repeatIntervalMs, 30 * 60_000);
    assert.ok(mail?.type === 'email');
    assert.equal(mail.smtpUrl, env.SMTP_URL);
    assert.deepEqual(mail.to, ['platform@example.com']);
  });

  it('no section means no targets', () => {
    const folder = tempConfigDir({
      'config.yaml': 'registry_url: https://registry.example.com\n',
      'manual.yaml': MANUAL,
    });
    try {
      assert.deepEqual(loadOk(folder.dir).notifications, []);
    } finally {
      folder.remove();
    }
  });

  it('reports every bad entry with file, entry and field, in one go', () => {
    const error = withConfig(
      `  - name: a
    type: pager
    url: https://x.example.com
  - name: b
    type: slack
  - name: c
    type: email
    smtp_url: smtp://mail.example.com
    from: reg-cleaner@example.com
    to: [not-an-address]
  - name: d
    type: webhook
    url: https://hooks.example.com
    on: [failure, sometimes]
    jobs: [clean-dev, nightly]
  - name: d
    type: teams
    url: ftp://example.com
    smtp_url: smtp://mail.example.com
`,
      (dir) => loadFails(dir),
    );
    const text = error.format();
    const lines = text.split('\n').map((line) => line.trim());
    const line = (entry: string, field: string) => {
      const found = lines.find((candidate) => candidate.includes(`${entry} field ${field}:`));
      assert.ok(found !== undefined, `no problem for ${entry} ${field} in:\n${text}`);
      assert.match(found, /config\.yaml: notifications\[\d\]/);
      return found;
    };
    assert.match(
      line('notifications[0] "a"', 'type'),
      /must be one of \[slack, teams, webhook, email\]/,
    );
    assert.match(line('notifications[1] "b"', 'url'), /is required for type slack/);
    assert.match(line('notifications[2] "c"', 'to[0]'), /valid email/);
    assert.match(
      line('notifications[3] "d"', 'on[1]'),
      /must be one of \[failure, deleted, recovered, dry_run, warning, restored, always\]/,
    );
    assert.match(
      line('notifications[3] "d"', 'jobs[1]'),
      /"nightly" is not a job of jobs.yaml or manual.yaml \(known: clean-dev/,
    );
    assert.match(line('notifications[4] "d"', 'name'), /notifications\[3\] has the same name/);
    assert.match(line('notifications[4] "d"', 'url'), /must be an http:\/\/ or https:\/\/ URL/);
    assert.match(
      line('notifications[4] "d"', 'smtp_url'),
      /is not used by type teams \(only email uses it\)/,
    );
  });

  it('names a missing __ENV variable, and never prints a value of a URL, secret or header', () => {
    const error = withConfig(
      `  - name: audit
    type: webhook
    url: "__ENV: HOOK_URL"
    secret: not-base64-secret-value!
    headers: { X-Api-Key: "literal-header-secret\\nsecond-line" }
  - name: mail
    type: email
    smtp_url: "http://user:smtp-literal-pass@mail.example.com"
    from: "__ENV: FROM"
    to: [a@example.com]
`,
      (dir) => loadFails(dir, {}),
    );
    const text = error.format();
    assert.match(text, /field url: environment variable HOOK_URL is not set/);
    assert.match(text, /field secret: must be a Standard Webhooks secret/);
    assert.match(text, /field headers.X-Api-Key: must not contain line breaks/);
    assert.match(text, /field smtp_url: must be smtp:\/\/\[user:password@\]host/);
    assert.match(text, /field from: "__ENV:" references work only for url, secret, smtp_url/);
    for (const secret of [
      'not-base64-secret-value',
      'literal-header-secret',
      'smtp-literal-pass',
    ]) {
      assert.ok(!text.includes(secret), `${secret} leaked into:\n${text}`);
    }
  });

  it('refuses a secret shorter than 24 bytes, reserved headers, credentials in a URL, bad durations', () => {
    const found = parseNotificationsSection(
      [
        {
          name: 'w',
          type: 'webhook',
          url: 'https://user:pw@hooks.example.com/',
          secret: `whsec_${Buffer.alloc(16).toString('base64')}`,
          headers: { 'Content-Type': 'text/plain', 'bad header': 'x' },
          repeat_interval: '0h',
        },
        { name: 's', type: 'slack', url: 'https://hooks.slack.com/x', repeat_interval: 'soon' },
        { name: 'e', type: 'email', smtp_url: 'smtp://mail.example.com' },
      ],
      {},
      new Set(['job']),
    );
    const described = found.problems.map(
      (problem) => `${problem.entry ?? ''} ${problem.field ?? ''}: ${problem.message}`,
    );
    const expect = (pattern: RegExp) => {
      assert.ok(
        described.some((line) => pattern.test(line)),
        `${String(pattern)} not in:\n${described.join('\n')}`,
      );
    };
    expect(/"w" url: must not contain user:password@/);
    expect(/"w" secret: must be a Standard Webhooks secret/);
    expect(/"w" headers.Content-Type: is set by reg-cleaner itself/);
    expect(/"w" headers.bad header: is not a valid HTTP header name/);
    expect(/"w" repeat_interval: must be a duration above 0/);
    expect(/"s" repeat_interval: must be a duration above 0/);
    expect(/"e" from: is required for type email/);
    expect(/"e" to: is required for type email/);
    assert.deepEqual(found.targets, []);
  });

  it('a bare number of repeat_interval is hours; a list that is not a list is named', () => {
    const ok = parseNotificationsSection(
      [{ name: 's', type: 'slack', url: 'https://hooks.slack.com/x', repeat_interval: 1.5 }],
      {},
      undefined,
    );
    assert.equal(ok.targets[0]?.repeatIntervalMs, 1.5 * 3_600_000);
    const bad = parseNotificationsSection({ name: 's' }, {}, undefined);
    assert.deepEqual(bad.problems, [
      { field: 'notifications', message: 'must be a list of targets ("- name: ...")' },
    ]);
  });
});

describe('config.yaml notifications: for --restore (issue 27 item 3)', () => {
  const entries = [
    { name: 'chat', type: 'slack', url: '__ENV: CHAT_URL' },
    { name: 'mail', type: 'email', smtp_url: '__ENV: SMTP_URL', from: 'a@b.c', to: 'd@e.f' },
    { name: 'audit', type: 'webhook', url: 'https://hooks.example.com/x', on: ['restored'] },
  ];

  it('skips a target whose variables are unset or empty, and keeps the others', () => {
    const section = parseNotificationsSection(entries, { SMTP_URL: '' }, undefined, {
      skipUnset: true,
    });
    assert.deepEqual(section.problems, []);
    assert.deepEqual(
      section.targets.map((target) => target.name),
      ['audit'],
    );
    assert.deepEqual(section.skipped, [
      'notifications[0] "chat" skipped: CHAT_URL is not set or empty',
      'notifications[1] "mail" skipped: SMTP_URL is not set or empty',
    ]);
  });

  it('a run still needs them; and a real mistake beside an unset variable is still a mistake', () => {
    assert.equal(parseNotificationsSection(entries, {}, undefined).problems.length, 2);
    const mistyped = [{ ...entries[0], on: ['restore'] }];
    const section = parseNotificationsSection(mistyped, {}, undefined, { skipUnset: true });
    assert.deepEqual(section.skipped, []);
    assert.match(section.problems.map((problem) => problem.message).join('\n'), /must be one of/);
  });
});
