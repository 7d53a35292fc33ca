import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFaultProxy, type HeldRequest } from '../support/fault-proxy.js';
import { pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { readValidReport } from '../support/report-schema.js';
import { createWorkspace, type RunningCli, type Workspace } from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

// A run cut short still leaves a valid JSON report that says it was interrupted: after
// SIGTERM (the run winds down and writes its reports), and after SIGKILL in the middle of the
// deletions (the file written so far is a complete report on its own).

const TAGS = 12;

describe('an interrupted run leaves a valid report', { concurrency: true }, () => {
  let registry: RunningRegistry;
  const workspaces: Workspace[] = [];

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    // One repository per case, and kill/young with nothing to delete (it finishes at once).
    await pushImage(registry, 'kill/young', ['v1'], { created: daysAgo(1) });
    for (const repository of ['term/app', 'kill/app']) {
      await Promise.all(
        Array.from({ length: TAGS }, (_, n) =>
          pushImage(registry, repository, [`v${String(n)}`], { created: daysAgo(10 + n) }),
        ),
      );
    }
  });

  after(async () => {
    for (const workspace of workspaces) await workspace.cleanup();
    await registry.stop();
  });

  /** A workspace whose job cleans `repository` through a proxy that holds every DELETE. */
  async function interruptible(
    repositories: readonly string[],
    /** Called at the first DELETE; `release` lets it and every later DELETE through. */
    onFirstDelete: (cli: RunningCli, release: () => void) => void,
  ): Promise<{ workspace: Workspace; cli: RunningCli }> {
    const proxy = await startFaultProxy(registry.url);
    const workspace = await createWorkspace();
    workspaces.push(workspace);
    await workspace.writeConfig({
      'config.yaml': [
        `registry_url: ${proxy.url}`,
        'timeout: 10',
        'max_concurrent_requests: 2',
      ].join('\n'),
      'manual.yaml': `
- name: cut
  repositories: [${repositories.join(', ')}]
  tag_regexps: ['v']
  save_last: 2
  older_than_days: 5
`,
    });
    const cli = workspace.spawn([]);
    const held: HeldRequest[] = [];
    let open = false;
    const release = (): void => {
      open = true;
      for (const request of held.splice(0)) request.release();
    };
    proxy.addRule({
      method: 'DELETE',
      path: /\/manifests\//,
      fault: {
        kind: 'hold',
        phase: 'before',
        onHold: (request) => {
          if (open) {
            request.release();
            return;
          }
          held.push(request);
          if (held.length === 1) onFirstDelete(cli, release);
        },
      },
    });
    void cli.result.finally(() => proxy.stop());
    return { workspace, cli };
  }

  it('SIGTERM: deletions in flight finish, the rest are skipped, the report says interrupted', async () => {
    let released = false;
    const { workspace, cli } = await interruptible(['term/app'], (running, release) => {
      running.child.kill('SIGTERM');
      // Once the CLI has seen the signal, the deletions it already sent may go through.
      void running.waitForOutput(/SIGTERM received/).then(() => {
        released = true;
        release();
      });
    });
    const result = await cli.result;
    assert.ok(released, result.stdout + result.stderr);
    assert.equal(result.code, 143, result.stderr);
    const folder = join(workspace.dir, 'reports', 'cut');
    const report = await readValidReport(join(folder, 'latest.json'));
    assert.equal(report.status, 'interrupted');
    const selected = report.repositories.flatMap((repository) =>
      repository.tags.filter((tag) => tag.action === 'delete'),
    );
    assert.equal(selected.length, TAGS - 2);
    const skipped = selected.filter((tag) => tag.outcome === 'skipped');
    assert.ok(skipped.length > 0, 'deletions not yet started were skipped');
    assert.ok(selected.every((tag) => tag.outcome === 'skipped' || tag.outcome === 'deleted'));
    assert.ok((await readdir(folder)).includes('latest.html'));
  });

  it('SIGKILL in the middle of the deletions: the file written so far is a valid report, marked interrupted', async () => {
    const { workspace, cli } = await interruptible(['kill/young', 'kill/app'], (running) => {
      // kill/young is usually written by then (the DELETE waits for all of kill/app).
      void running.waitForOutput(/-- cut: kill\/young/).then(() => running.child.kill('SIGKILL'));
    });
    const result = await cli.result;
    assert.equal(result.signal, 'SIGKILL');
    const folder = join(workspace.dir, 'reports', 'cut');
    const names = await readdir(folder);
    // The run never finished: no latest.*, no HTML, just the JSON it was writing.
    assert.deepEqual(
      names
        .filter((name) => !name.startsWith('.'))
        .map((name) => name.replace(/^\d{8}T\d{6}Z/, 'STAMP')),
      ['STAMP-real.json'],
    );
    const report = await readValidReport(
      join(folder, names.find((name) => name.endsWith('.json')) ?? ''),
    );
    assert.equal(report.status, 'interrupted');
    assert.ok(report.repositories.every((repository) => repository.name === 'kill/young'));
  });
});
