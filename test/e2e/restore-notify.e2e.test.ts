import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHttpReceiver, type HttpReceiver } from '../support/notification-receivers.js';
import { listTags, pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { anonymousConfigYaml, createWorkspace, type Workspace } from './cli-harness.js';
import { DAY_MS } from '../../testkit/dates.js';

const MANUAL = `
- name: clean
  repositories: [team/app]
  tag_regexps: ['v']
  save_last: 0
  older_than_days: 5
`;

/** A chat target reached through a variable, and an audit hook that listens to restores. */
function notifications(audit: string): string {
  return [
    'notifications:',
    '  - name: ops-slack',
    '    type: slack',
    '    url: "__ENV: SLACK_WEBHOOK_URL"',
    '  - name: audit',
    '    type: webhook',
    `    url: ${audit}/hook`,
    '    on: [restored]',
  ].join('\n');
}

describe('--restore needs only what it uses, and leaves a trace (issue 27 item 3)', () => {
  let registry: RunningRegistry;
  let slack: HttpReceiver;
  let audit: HttpReceiver;
  let workspace: Workspace;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    [slack, audit] = await Promise.all([startHttpReceiver(), startHttpReceiver()]);
    workspace = await createWorkspace();
    await pushImage(registry, 'team/app', ['v1'], { created: new Date(Date.now() - 30 * DAY_MS) });
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(registry.url, notifications(audit.url)),
      'manual.yaml': MANUAL,
    });
  });

  after(async () => {
    await workspace.cleanup();
    await Promise.all([slack.stop(), audit.stop(), registry.stop()]);
  });

  it('a run needs the variable; the restore goes on without it, warns, and tells the audit hook', async () => {
    const unset = await workspace.run(['--dry-run']);
    assert.equal(unset.code, 2, 'a cleaning run still needs every variable');
    assert.match(unset.stderr, /SLACK_WEBHOOK_URL is not set/);

    const run = await workspace.run([], { SLACK_WEBHOOK_URL: `${slack.url}/chat` });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(await listTags(registry, 'team/app'), []);
    await slack.waitFor(1);
    assert.equal(audit.requests.length, 0, 'the audit hook listens to restores only');

    const restore = await workspace.run(['--restore', '--jobs', 'clean']);
    assert.equal(restore.code, 0, restore.stdout + restore.stderr);
    assert.match(
      restore.stderr,
      /WARN .*notifications\[0\] "ops-slack" skipped: SLACK_WEBHOOK_URL is not set or empty: this restore does not notify it/,
    );
    assert.deepEqual(await listTags(registry, 'team/app'), ['v1']);
    await audit.waitFor(1);
    const event = JSON.parse(audit.requests[0]?.body ?? '{}') as {
      type: string;
      subject: string;
      data: {
        status: string;
        reasons: string[];
        counts: { restored: number; notRestored: number };
        restored: string[];
      };
    };
    assert.equal(event.type, 'reg_cleaner.restore.finished');
    assert.equal(event.subject, 'clean');
    assert.equal(event.data.status, 'succeeded');
    assert.deepEqual(event.data.reasons, ['restored']);
    assert.deepEqual(event.data.counts, {
      restored: 1,
      alreadyInPlace: 0,
      leftAlone: 0,
      notRestored: 0,
    });
    assert.deepEqual(event.data.restored, ['team/app:v1']);
    assert.equal(slack.requests.length, 1, 'the skipped target heard nothing');
  });
});
