import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  startHttpReceiver,
  startSmtpReceiver,
  type HttpReceiver,
  type SmtpReceiver,
} from '../support/notification-receivers.js';
import { listTags, pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import {
  anonymousConfigYaml,
  createWorkspace,
  type CliResult,
  type Workspace,
} from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

const MANUAL = `
- name: clean
  repositories: [team/app]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
`;

const SLACK_TOKEN = 'slack-url-token-123';
const QUERY_TOKEN = 'webhook-query-token-456';
const HEADER_TOKEN = 'hook-header-token-789';
const SMTP_PASSWORD = 'smtp-password-secret-000';
const HOOK_KEY = Buffer.from('notification-signing-key-0123456789').toString('base64');
const HOOK_SECRET = `whsec_${HOOK_KEY}`;
const SECRETS = [SLACK_TOKEN, QUERY_TOKEN, HEADER_TOKEN, SMTP_PASSWORD, HOOK_KEY];

/** Every file the runs wrote (logs, state, reports), with stdout and stderr. */
async function everythingWritten(workspace: Workspace, results: readonly CliResult[]) {
  const texts = results.flatMap((result) => [result.stdout, result.stderr]);
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else texts.push(`${path}\n${await readFile(path, 'latin1')}`);
    }
  };
  for (const folder of await readdir(workspace.dir)) {
    if (folder !== 'config') await walk(join(workspace.dir, folder));
  }
  return texts;
}

describe('notifications from the CLI', () => {
  let registry: RunningRegistry;
  let slack: HttpReceiver;
  /** A webhook endpoint that stays down: 503 with Retry-After 0, so the retries cost no time. */
  let down: HttpReceiver;
  let smtp: SmtpReceiver;
  let workspace: Workspace;
  let env: Record<string, string>;

  const targets = (withDown: boolean) => `
notifications:
  - name: ops-slack
    type: slack
    url: "__ENV: SLACK_URL"
  - name: mail
    type: email
    smtp_url: "__ENV: SMTP_URL"
    from: reg-cleaner@example.com
    to: [platform@example.com]
${
  withDown
    ? `  - name: audit
    type: webhook
    url: "__ENV: HOOK_URL"
    secret: "__ENV: HOOK_SECRET"
    headers: { Authorization: "__ENV: HOOK_TOKEN" }
`
    : ''
}`;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    slack = await startHttpReceiver();
    down = await startHttpReceiver(() => ({ status: 503, headers: { 'retry-after': '0' } }));
    smtp = await startSmtpReceiver({ user: 'mailer', password: SMTP_PASSWORD });
    workspace = await createWorkspace();
    env = {
      SLACK_URL: `${slack.url}/services/T0/B0/${SLACK_TOKEN}`,
      SMTP_URL: smtp.url,
      HOOK_URL: `${down.url}/hook?token=${QUERY_TOKEN}`,
      HOOK_SECRET,
      HOOK_TOKEN: `Bearer ${HEADER_TOKEN}`,
    };
    for (let n = 1; n <= 3; n++) {
      await pushImage(registry, 'team/app', [`dev-${String(n)}`], { created: daysAgo(40 - n) });
    }
  });

  after(async () => {
    await workspace.cleanup();
    await Promise.all([slack.stop(), down.stop(), smtp.stop(), registry.stop()]);
  });

  it('a real run: Slack and e-mail get one message each; a target that stays down changes neither the exit code nor the deletions; no secret anywhere', async () => {
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(registry.url, targets(true)),
      'manual.yaml': MANUAL,
    });
    const result = await workspace.run(['--jobs', 'clean'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await listTags(registry, 'team/app'), ['dev-3']);

    assert.equal(slack.requests.length, 1);
    const slackBody = JSON.parse(slack.requests[0]?.body ?? '') as { text: string };
    assert.match(slackBody.text, /job clean on 127\.0\.0\.1:\d+ succeeded: 2 deleted, 0 failed/);
    assert.equal(smtp.mails.length, 1);
    assert.match(
      smtp.mails[0]?.raw ?? '',
      /^Subject: \[reg-cleaner\] clean: 2 deleted, 0 failed\r$/m,
    );

    assert.equal(down.requests.length, 5, 'the first attempt and 4 retries');
    const ids = new Set(down.requests.map((request) => request.headers['webhook-id']));
    assert.equal(ids.size, 1, 'one webhook-id across the retries');
    const last = down.requests[4];
    assert.ok(last !== undefined);
    assert.equal(last.headers['authorization'], `Bearer ${HEADER_TOKEN}`);
    new Webhook(HOOK_SECRET).verify(last.body, {
      'webhook-id': String(last.headers['webhook-id']),
      'webhook-timestamp': String(last.headers['webhook-timestamp']),
      'webhook-signature': String(last.headers['webhook-signature']),
    });
    const warning = `${result.stdout}\n${result.stderr}`
      .split('\n')
      .find((line) => line.includes('notification not delivered'));
    assert.ok(warning !== undefined, result.stderr);
    assert.match(warning, /target=audit/);
    assert.match(warning, new RegExp(`host=127\\.0\\.0\\.1:${new URL(down.url).port}`));
    assert.match(warning, /problem="HTTP 503/);

    const state = await readFile(join(workspace.dir, 'cache/notifications.json'), 'utf8');
    assert.match(state, /"audit"[\s\S]*"delivered": false/);
    for (const text of await everythingWritten(workspace, [result])) {
      for (const secret of SECRETS)
        assert.ok(!text.includes(secret), `${secret} leaked:\n${text.slice(0, 300)}`);
    }
  });

  it('--test-notifications: one line per target; exit 1 while one is down, 0 once all take it', async () => {
    const slackBefore = slack.requests.length;
    const failing = await workspace.run(['--test-notifications'], env);
    assert.equal(failing.code, 1, failing.stderr);
    assert.match(failing.stdout, /^ops-slack \(127\.0\.0\.1:\d+\): delivered$/m);
    assert.match(failing.stdout, /^mail \(127\.0\.0\.1:\d+\): delivered$/m);
    assert.match(
      failing.stdout,
      /^audit \(127\.0\.0\.1:\d+\): NOT delivered after 1 attempt\(s\): HTTP 503/m,
    );
    assert.match(failing.stdout, /2 of 3 targets took the test message/);
    assert.match(slack.requests[slackBefore]?.body ?? '', /TEST MESSAGE/);

    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(registry.url, targets(false)),
    });
    const passing = await workspace.run(['--test-notifications'], env);
    assert.equal(passing.code, 0, passing.stdout + passing.stderr);
    assert.match(passing.stdout, /2 of 2 targets took the test message/);
    assert.match(
      smtp.mails.at(-1)?.raw ?? '',
      /^Subject: \[reg-cleaner\] TEST message for target mail\r$/m,
    );
    for (const text of await everythingWritten(workspace, [failing, passing])) {
      for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} leaked`);
    }
  });

  it('SIGTERM while a message is in flight: the message gets the grace period and is delivered', async () => {
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = await startHttpReceiver(() => ({ status: 200, after: held }));
    try {
      await pushImage(registry, 'team/app', ['dev-10', 'dev-11'], { created: daysAgo(20) });
      await workspace.writeConfig({
        'config.yaml': anonymousConfigYaml(
          registry.url,
          `notifications:\n  - name: slow\n    type: slack\n    url: "${slow.url}/hook"\n`,
        ),
      });
      const cli = workspace.spawn(['--jobs', 'clean'], env);
      await slow.waitFor(1);
      cli.child.kill('SIGTERM');
      await cli.waitForOutput(/SIGTERM received/);
      release();
      const result = await cli.result;
      assert.equal(result.code, 143, result.stderr);
      assert.equal(slow.requests.length, 1, 'sent once, not cut and retried');
      const state = await readFile(join(workspace.dir, 'cache/notifications.json'), 'utf8');
      assert.match(state, /"slow"[\s\S]*"delivered": true/);
      assert.match(result.stderr, /notification sent target=slow/);
    } finally {
      await slow.stop();
    }
  });

  it('a bad entry: exit 2 naming file, entry and field, before any request', async () => {
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(
        registry.url,
        `notifications:\n  - name: pager\n    type: pagerduty\n    url: "__ENV: SLACK_URL"\n    jobs: [nightly]\n`,
      ),
    });
    await registry.resetAccessLog();
    const before = slack.requests.length;
    const result = await workspace.run(['--jobs', 'clean'], env);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /config\.yaml: notifications\[0\] "pager" field type: must be one of/,
    );
    assert.match(
      result.stderr,
      /notifications\[0\] "pager" field jobs\[0\]: "nightly" is not a job/,
    );
    assert.ok(!result.stderr.includes(SLACK_TOKEN));
    assert.deepEqual(await registry.accessLog(), []);
    assert.equal(slack.requests.length, before);
  });
});
