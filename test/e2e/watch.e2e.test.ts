import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listTags, pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { seedRegistry } from '../../testkit/seed.js';
import {
  anonymousConfigYaml,
  createWorkspace,
  type RunningCli,
  type Workspace,
} from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

function jobsYaml(everyHours: number, repository = 'team/app'): string {
  return `
- name: clean-dev
  repositories: [${repository}]
  tag_regexps: ['dev-', 'v']
  save_last: 0
  older_than_days: 5
  clean_every_n_hours: ${String(everyHours)}
`;
}

interface HistoryLine {
  readonly at: Date;
  readonly text: string;
}

async function history(workspace: Workspace): Promise<HistoryLine[]> {
  const text = await readFile(join(workspace.dir, 'cache/history.log'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => ({ at: new Date(line.slice(0, line.indexOf(' '))), text: line }));
}

async function stop(cli: RunningCli, signal: NodeJS.Signals = 'SIGTERM') {
  cli.child.kill(signal);
  return cli.result;
}

async function stateOf(workspace: Workspace): Promise<Record<string, Record<string, unknown>>> {
  // Parsing is the assertion: the state file must be valid JSON whenever the process is gone.
  return JSON.parse(
    await readFile(join(workspace.dir, 'cache/latest_cleanup.json'), 'utf8'),
  ) as Record<string, Record<string, unknown>>;
}

describe('watch mode against a real registry', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    workspace = await createWorkspace();
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(registry.url),
      'jobs.yaml': jobsYaml(1),
    });
    for (let n = 1; n <= 3; n++) {
      await pushImage(registry, 'team/app', [`dev-${String(n)}`], { created: daysAgo(30 + n) });
    }
  });

  after(async () => {
    await workspace.cleanup();
    await registry.stop();
  });

  it('a dry-run watch records a dry run and deletes nothing; SIGTERM exits 0', async () => {
    const cli = workspace.spawn(['--watch', '--debug']);
    await cli.waitForOutput(/next run scheduled/);
    const result = await stop(cli);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await listTags(registry, 'team/app')).length, 3);
    const lines = await history(workspace);
    assert.equal(lines.filter((line) => /finished \(dry run\)/.test(line.text)).length, 1);
    assert.equal((await stateOf(workspace))['clean-dev']?.['dry_run'], true);
  });

  it('the dry-run record does not delay the real run: it runs at once', async () => {
    const cli = workspace.spawn(['--watch']);
    await cli.waitForOutput(/next run scheduled/);
    const result = await stop(cli);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await listTags(registry, 'team/app'), []);
    const finished = (await history(workspace)).filter((line) =>
      /job=clean-dev finished examined/.test(line.text),
    );
    assert.equal(finished.length, 1);
  });

  it('a restart honours the recorded state: no run before due', async () => {
    const before = (await history(workspace)).length;
    const cli = workspace.spawn(['--watch']);
    await cli.waitForOutput(/next run scheduled/);
    const result = await stop(cli);
    assert.equal(result.code, 0);
    assert.equal((await history(workspace)).length, before, 'no new history line');
    assert.match(result.stderr, /next run scheduled job=clean-dev at=/);
    // Issue 15: the start-up banner says what runs when, on stdout.
    const state = join(workspace.dir, 'cache').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(
      result.stdout,
      new RegExp(
        `^reg-cleaner \\S+ watch mode\\n  registry  ${registry.url}\\n  login     none \\(no username/password in config.yaml, no Docker config\\)\\n  state     ${state}\\n` +
          '  jobs      1\\n    clean-dev  every 1 h  next run \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z\\n',
      ),
    );
  });
});

describe('watch mode reruns a job when it is due', () => {
  it('runs at once, not again before the interval, again after it', async () => {
    const registry = await startRegistry({ auth: 'none' });
    const workspace = await createWorkspace();
    const everyHours = 0.0005; // 1.8 s: the shortest interval that separates the runs clearly
    try {
      await workspace.writeConfig({
        'config.yaml': anonymousConfigYaml(registry.url),
        'jobs.yaml': jobsYaml(everyHours),
      });
      await pushImage(registry, 'team/app', ['dev-1'], { created: daysAgo(30) });
      const cli = workspace.spawn(['--watch']);
      await cli.waitForOutput(/(job finished[\s\S]*){2}/, 20_000);
      await stop(cli);
      const finishes = (await history(workspace)).filter((line) =>
        /finished examined/.test(line.text),
      );
      const starts = (await history(workspace)).filter((line) => /started/.test(line.text));
      assert.ok(finishes.length >= 2);
      const [first] = finishes;
      const second = starts[1];
      assert.ok(first && second);
      const gap = second.at.getTime() - first.at.getTime();
      assert.ok(
        gap >= everyHours * 3_600_000 - 5,
        `second run started ${String(gap)} ms after the first finished`,
      );
    } finally {
      await workspace.cleanup();
      await registry.stop();
    }
  });
});

describe('SIGTERM in the middle of a deleting run', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;
  const TAGS = 120;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    workspace = await createWorkspace();
    await workspace.writeConfig({
      // One request at a time, so that the run is long enough to be interrupted.
      'config.yaml': anonymousConfigYaml(registry.url).replace(
        'max_concurrent_requests: 8',
        'max_concurrent_requests: 1',
      ),
      'jobs.yaml': jobsYaml(24, 'seed/repo-0'),
      'manual.yaml': jobsYaml(0, 'seed/repo-0').replace(/\s+clean_every_n_hours: 0/, ''),
    });
    await seedRegistry(registry, {
      repositories: 1,
      tagsPerRepository: TAGS,
      created: (_repository, tag) => daysAgo(10 + tag),
    });
  });

  after(async () => {
    await workspace.cleanup();
    await registry.stop();
  });

  it('watch mode: stopped in the middle of a job, exits 143 within 5 s, valid state, an interrupted history line', async () => {
    const cli = workspace.spawn(['--watch']);
    await cli.waitForOutput(/deleted repository=/);
    const stoppedAt = Date.now();
    const result = await stop(cli);
    // Only a watch that was between runs exits 0 (issue 27): this one cut a job short.
    assert.equal(result.code, 143, result.stderr);
    assert.ok(Date.now() - stoppedAt < 5_000, 'stopped within 5 s');
    const record = (await stateOf(workspace))['clean-dev'];
    assert.equal(record?.['interrupted'], true);
    assert.equal(record['success'], false);
    assert.ok((await history(workspace)).some((line) => /interrupted/.test(line.text)));
    const left = (await listTags(registry, 'seed/repo-0')).length;
    assert.ok(left > 0 && left < TAGS, `${String(left)} tags left`);
  });

  it('one-shot: SIGTERM exits 143 and a rerun completes the job', async () => {
    const cli = workspace.spawn(['--jobs', 'clean-dev']);
    await cli.waitForOutput(/deleted repository=/);
    const result = await stop(cli);
    assert.equal(result.code, 143, result.stderr);
    await stateOf(workspace);
    const rerun = await workspace.run(['--jobs', 'clean-dev']);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.deepEqual(await listTags(registry, 'seed/repo-0'), []);
  });
});
