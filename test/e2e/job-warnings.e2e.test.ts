import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findFreePort } from '../../testkit/free-port.js';
import { startHttpReceiver, type HttpReceiver } from '../support/notification-receivers.js';
import { pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { anonymousConfigYaml, createWorkspace, type Workspace } from './cli-harness.js';
import { parseExposition } from './prometheus-text.js';
import { DAY_MS } from '../../testkit/dates.js';

/** A cron job with a typo in a literal repository name (issue 27 item 4). */
const MANUAL = `
- name: typo
  repositories: [team/app, team9/does-not-exist]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
- name: by-pattern
  repositories: ['r/team/']
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
`;

const NOT_FOUND = /repository not found: .*team9\/does-not-exist/;

describe('job warnings reach operators (issue 27 items 4 and 5)', () => {
  let registry: RunningRegistry;
  let hook: HttpReceiver;
  let workspace: Workspace;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    hook = await startHttpReceiver();
    workspace = await createWorkspace();
    for (const [tag, age] of [
      ['dev-1', 30],
      ['dev-2', 20],
    ] as const) {
      await pushImage(registry, 'team/app', [tag], {
        created: new Date(Date.now() - age * DAY_MS),
      });
    }
    const notifications = [
      'notifications:',
      '  - name: warned',
      '    type: webhook',
      `    url: ${hook.url}/hook`,
      '    on: [warning]',
    ].join('\n');
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(registry.url, notifications),
      'manual.yaml': MANUAL,
    });
  });

  after(async () => {
    await workspace.cleanup();
    await hook.stop();
    await registry.stop();
  });

  it('a literal repository that does not exist: WARN in cleaner.log and on stderr, state, report, notification, metric', async () => {
    const run = await workspace.run(['--dry-run', '--jobs', 'typo', '--metrics-file', 'run.prom']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const log = await readFile(join(workspace.dir, 'logs/cleaner.log'), 'utf8');
    assert.match(
      log,
      new RegExp(`WARN +${NOT_FOUND.source}.* job=typo repository=team9/does-not-exist`),
    );
    assert.match(run.stderr, new RegExp(`WARN +${NOT_FOUND.source}`));
    const state = JSON.parse(
      await readFile(join(workspace.dir, 'cache/latest_cleanup.json'), 'utf8'),
    ) as Record<string, { warnings: string[] }>;
    assert.match(
      state['typo']?.warnings.join('\n') ?? '',
      /^team9\/does-not-exist: repository not found/,
    );
    const report = JSON.parse(
      await readFile(join(workspace.dir, 'reports/typo/latest.json'), 'utf8'),
    ) as { warnings: string[] };
    assert.equal(report.warnings.length, 1);
    assert.match(report.warnings[0] ?? '', NOT_FOUND);
    await hook.waitFor(1);
    const event = JSON.parse(hook.requests[0]?.body ?? '{}') as {
      data: { reasons: string[]; warnings: string[] };
    };
    assert.deepEqual(event.data.reasons, ['warning']);
    assert.match(event.data.warnings[0] ?? '', NOT_FOUND);
    const samples = parseExposition(await readFile(join(workspace.dir, 'run.prom'), 'utf8'));
    const warnings = samples.find(
      (sample) =>
        sample.name === 'reg_cleaner_job_warnings_total' && sample.labels['job'] === 'typo',
    );
    assert.equal(warnings?.value, 1);
  });

  it('--strict makes the warning fail the job: exit 1, and it says why', async () => {
    const run = await workspace.run(['--dry-run', '--jobs', 'typo', '--strict']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /error: 1 warning, and --strict makes warnings fail the job/);
    assert.match(run.stdout, /would delete 1/, 'the job still did its work');
  });

  it('a registry that is down: no "matches no repository", the real duration, no "0 repositories"', async () => {
    const port = await findFreePort();
    const down = await createWorkspace();
    try {
      await down.writeConfig({
        'config.yaml': anonymousConfigYaml(
          `http://127.0.0.1:${String(port)}`,
          'retry_base_delay: 0.1',
        ),
        'manual.yaml': MANUAL,
      });
      const run = await down.run(['--dry-run', '--jobs', 'by-pattern']);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      const log = await readFile(join(down.dir, 'logs/cleaner.log'), 'utf8');
      for (const text of [run.stdout, run.stderr, log]) {
        assert.doesNotMatch(text, /matches no repository/);
      }
      assert.match(
        run.stdout,
        /by-pattern: started \(dry run[^)]*\), but cannot go on: reading the registry catalog failed/,
      );
      assert.doesNotMatch(run.stdout, /0 repositories/);
      // Four retries from 0.1 s (jittered down to half): at least 0.75 s went by.
      const took = /in (\d+\.\d)s/.exec(run.stdout);
      assert.ok(took !== null && Number(took[1]) >= 0.7, run.stdout);
    } finally {
      await down.cleanup();
    }
  });
});
