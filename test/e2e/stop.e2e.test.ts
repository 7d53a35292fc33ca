import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFaultProxy, type FaultProxy, type HeldRequest } from '../support/fault-proxy.js';
import { pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { readValidReport } from '../support/report-schema.js';
import { createWorkspace, type RunningCli, type Workspace } from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

// Issue 27 item 2, "Stop means stop": a real run interrupted with Ctrl-C (SIGINT) right after
// its first DELETE sends nothing that was not already on the wire, exits 130 within 5 s and
// leaves no lock. A fault proxy in front of the real registry counts what reaches it: from the
// first DELETE on it holds every request, so the requests in flight at the signal are exactly
// the ones it holds, and anything that arrives later was sent after the signal.

/** The promise of issue 27: exit within 5 s of the signal. */
const EXIT_WITHIN_MS = 5_000;

describe('Ctrl-C right after the first DELETE', { concurrency: true }, () => {
  let registry: RunningRegistry;
  const workspaces: Workspace[] = [];

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    // Five old tags per repository, one kept: four deletions each.
    const old = (repository: string, count: number) =>
      Promise.all(
        Array.from({ length: count }, (_, n) =>
          pushImage(registry, repository, [`v${String(n)}`], { created: daysAgo(10 + n) }),
        ),
      );
    await Promise.all([
      old('ceiling/app', 5),
      old('gate/app', 5),
      // Read after gate/app: its reads wait in the request gate at the signal.
      old('gate/more', 12),
      old('twice/app', 5),
    ]);
  });

  after(async () => {
    for (const workspace of workspaces) await workspace.cleanup();
    await registry.stop();
  });

  interface Interrupted {
    readonly proxy: FaultProxy;
    readonly workspace: Workspace;
    readonly cli: RunningCli;
    /** Resolves at the first DELETE, with the requests the proxy had seen by then. */
    readonly firstDelete: Promise<void>;
    /** Requests held at the proxy (every one from the first DELETE on). */
    readonly held: HeldRequest[];
    /** Resolves once `count` requests are held. */
    heldCount(count: number): Promise<void>;
    releaseAll(): void;
  }

  /** A real run of one job over `repositories`, through a proxy that holds from the first DELETE. */
  async function startRun(repositories: readonly string[], config: string): Promise<Interrupted> {
    const proxy = await startFaultProxy(registry.url);
    const workspace = await createWorkspace();
    workspaces.push(workspace);
    await workspace.writeConfig({
      'config.yaml': [`registry_url: ${proxy.url}`, 'timeout: 10', config].join('\n'),
      'manual.yaml': `
- name: cut
  repositories: [${repositories.join(', ')}]
  tag_regexps: ['v']
  save_last: 1
  older_than_days: 5
`,
    });
    const held: HeldRequest[] = [];
    const waiters: (() => void)[] = [];
    let holding = false;
    let released = false;
    let deleteSeen = (): void => undefined;
    const firstDelete = new Promise<void>((resolve) => {
      deleteSeen = resolve;
    });
    proxy.addRule({
      path: /./,
      fault: {
        kind: 'hold',
        phase: 'before',
        onHold: (request) => {
          if (request.method === 'DELETE' && !holding) {
            holding = true;
            deleteSeen();
          }
          if (!holding || released) {
            request.release();
            return;
          }
          held.push(request);
          for (const wake of waiters.splice(0)) wake();
        },
      },
    });
    const cli = workspace.spawn([]);
    void cli.result.finally(() => proxy.stop());
    return {
      proxy,
      workspace,
      cli,
      firstDelete,
      held,
      async heldCount(count) {
        while (held.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      },
      releaseAll() {
        released = true;
        for (const request of held.splice(0)) request.release();
      },
    };
  }

  /** SIGINT now; once the CLI says it got it, the requests it had in flight may finish. */
  async function interrupt(run: Interrupted) {
    const inFlight = run.proxy.requests.length;
    const signalledAt = Date.now();
    run.cli.child.kill('SIGINT');
    await run.cli.waitForOutput(/SIGINT received/);
    run.releaseAll();
    const result = await run.cli.result;
    const elapsed = Date.now() - signalledAt;
    const late = run.proxy.requests
      .slice(inFlight)
      .map((request) => `${request.method} ${request.path}`);
    return { result, elapsed, late };
  }

  async function assertStoppedCleanly(run: Interrupted, elapsed: number, code: number | null) {
    assert.equal(code, 130);
    assert.ok(elapsed < EXIT_WITHIN_MS, `exited ${String(elapsed)} ms after the signal`);
    await assert.rejects(access(join(run.workspace.dir, 'cache/reg-cleaner.lock')), 'no lock left');
    const history = (await readFile(join(run.workspace.dir, 'cache/history.log'), 'utf8')).trim();
    assert.match(history.split('\n').at(-1) ?? '', /job=cut interrupted/);
  }

  it('requests waiting in the rate ceiling (max_requests_per_second) are never sent', async () => {
    // Four deletions wait their turn in the ceiling; the gate has room for all of them.
    const run = await startRun(
      ['ceiling/app'],
      'max_concurrent_requests: 8\nmax_requests_per_second: 5',
    );
    await run.firstDelete;
    const { result, elapsed, late } = await interrupt(run);
    // The ceiling starts one request every 200 ms: at most one may have left in the instant
    // between the DELETE reaching the proxy and the signal reaching the CLI. Before issue 27,
    // the three other DELETEs followed at the ceiling's pace.
    assert.ok(late.length <= 1, `sent after the signal: ${late.join(', ')}`);
    await assertStoppedCleanly(run, elapsed, result.code);
    const deletes = run.proxy.requests.filter((request) => request.method === 'DELETE');
    assert.ok(deletes.length <= 2, `${String(deletes.length)} DELETEs in all`);
    const report = await readValidReport(join(run.workspace.dir, 'reports/cut/latest.json'));
    assert.equal(report.status, 'interrupted');
    const outcomes = report.repositories.flatMap((repository) =>
      repository.tags.filter((tag) => tag.action === 'delete').map((tag) => tag.outcome),
    );
    assert.equal(outcomes.filter((outcome) => outcome === 'deleted').length, deletes.length);
    assert.ok(outcomes.every((outcome) => outcome === 'deleted' || outcome === 'skipped'));
  });

  it('requests waiting in the request gate (max_concurrent_requests) are never sent; unfinished repositories are skipped', async () => {
    const run = await startRun(['gate/app', 'gate/more'], 'max_concurrent_requests: 2');
    await run.firstDelete;
    // Both slots of the gate are held at the proxy: the client can send nothing more until
    // they are answered, and they are answered only after the signal.
    await run.heldCount(2);
    const { result, elapsed, late } = await interrupt(run);
    assert.deepEqual(late, [], 'nothing reached the registry after the signal');
    await assertStoppedCleanly(run, elapsed, result.code);
    const report = await readValidReport(join(run.workspace.dir, 'reports/cut/latest.json'));
    assert.equal(report.status, 'interrupted');
    const more = report.repositories.find((repository) => repository.name === 'gate/more');
    assert.equal(more?.status, 'skipped');
    assert.equal(more.skipped, 'shutdown');
    const state = JSON.parse(
      await readFile(join(run.workspace.dir, 'cache/latest_cleanup.json'), 'utf8'),
    ) as Record<
      string,
      { interrupted: boolean; repo_stats: { repository: string; skipped?: string }[] }
    >;
    assert.equal(state['cut']?.interrupted, true);
    assert.deepEqual(
      state['cut'].repo_stats
        .filter((stat) => stat.skipped === 'shutdown')
        .map((stat) => stat.repository),
      ['gate/more'],
    );
    assert.match(result.stdout, /skipped \(shutdown\): 1 of 2 repositories not finished/);
  });

  it('a second Ctrl-C: one line, the history line, no lock, exit at once', async () => {
    const run = await startRun(['twice/app'], 'max_concurrent_requests: 2');
    await run.firstDelete;
    const signalledAt = Date.now();
    run.cli.child.kill('SIGINT');
    await run.cli.waitForOutput(/SIGINT received/);
    // The DELETE stays held: only the second signal can end the run now.
    run.cli.child.kill('SIGINT');
    const result = await run.cli.result;
    const elapsed = Date.now() - signalledAt;
    assert.match(result.stderr, /reg-cleaner: second SIGINT: exiting now; interrupted: cut\n/);
    await assertStoppedCleanly(run, elapsed, result.code);
    run.releaseAll();
  });
});
