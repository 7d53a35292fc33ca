import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findFreePort } from '../../testkit/free-port.js';
import { fetchLocal } from './local-http.js';
import { pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { CLI, configYaml, createWorkspace, type Workspace } from './cli-harness.js';
import { parseExposition, sampleValue, sumSamples } from './prometheus-text.js';
import { daysAgo } from '../../testkit/dates.js';

const JOB = `
- name: clean-dev
  repositories: [team/app, team/api]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
  clean_every_n_hours: 6
`;

interface RepoStat {
  readonly examined: number;
  readonly deleted: number;
}

async function record(workspace: Workspace): Promise<{
  success: boolean;
  dry_run: boolean;
  finished_at: string;
  repo_stats: RepoStat[];
}> {
  const text = await readFile(join(workspace.dir, 'cache/latest_cleanup.json'), 'utf8');
  const state = JSON.parse(text) as Record<string, Awaited<ReturnType<typeof record>>>;
  const entry = state['clean-dev'];
  assert.ok(entry, 'the run was recorded');
  return entry;
}

const total = (stats: readonly RepoStat[], key: keyof RepoStat): number =>
  stats.reduce((sum, stat) => sum + stat[key], 0);

async function seed(registry: RunningRegistry): Promise<void> {
  for (const repository of ['team/app', 'team/api']) {
    for (let n = 1; n <= 3; n++) {
      await pushImage(registry, repository, [`dev-${String(n)}`], { created: daysAgo(30 + n) });
    }
    await pushImage(registry, repository, ['latest'], { created: daysAgo(1) });
  }
  await registry.resetAccessLog();
}

/** The CLI's environment: the registry's credentials, read through `__ENV` like in production. */
function credentials(registry: RunningRegistry): Record<string, string> {
  return { REG_USER: registry.username ?? '', REG_PASSWORD: registry.password ?? '' };
}

/** What must never show: the password and the Basic credentials it makes. */
function secretsOf(registry: RunningRegistry): string[] {
  const user = registry.username ?? '';
  const password = registry.password ?? '';
  assert.ok(password.length >= 8, 'the registry has a password');
  return [password, Buffer.from(`${user}:${password}`).toString('base64')];
}

describe('metrics endpoint of watch mode against a real registry', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;

  before(async () => {
    registry = await startRegistry({ auth: 'basic' });
    workspace = await createWorkspace();
    await workspace.writeConfig({ 'config.yaml': configYaml(registry.url), 'jobs.yaml': JOB });
    await seed(registry);
  });

  after(async () => {
    await workspace.cleanup();
    await registry.stop();
  });

  it('after a run, /metrics counts what the run did and every request the registry saw', async () => {
    const port = await findFreePort();
    const cli = workspace.spawn(
      ['--watch', '--metrics-listen', `127.0.0.1:${String(port)}`],
      credentials(registry),
    );
    try {
      await cli.waitForOutput(/next run scheduled/);
      const metrics = await fetchLocal(port, '/metrics');
      assert.equal(metrics.status, 200);
      assert.match(String(metrics.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      const samples = parseExposition(metrics.body);
      const saved = await record(workspace);
      assert.equal(saved.success, true);
      const job = { job: 'clean-dev', dry_run: 'false' };
      assert.equal(
        sampleValue(samples, 'reg_cleaner_tags_examined_total', job),
        total(saved.repo_stats, 'examined'),
      );
      assert.equal(
        sampleValue(samples, 'reg_cleaner_tags_deleted_total', job),
        total(saved.repo_stats, 'deleted'),
      );
      assert.equal(total(saved.repo_stats, 'deleted'), 4, 'dev-1 and dev-2 of both repositories');
      assert.equal(
        sampleValue(samples, 'reg_cleaner_job_runs_total', { ...job, result: 'success' }),
        1,
      );
      assert.equal(
        sampleValue(samples, 'reg_cleaner_job_last_success_timestamp_seconds', {
          job: 'clean-dev',
        }),
        new Date(saved.finished_at).getTime() / 1000,
      );
      assert.equal(sampleValue(samples, 'reg_cleaner_job_running', { job: 'clean-dev' }), 0);
      assert.equal(
        sampleValue(samples, 'reg_cleaner_job_duration_seconds_count', { job: 'clean-dev' }),
        1,
      );
      const next = sampleValue(samples, 'reg_cleaner_job_next_run_timestamp_seconds', {
        job: 'clean-dev',
      });
      const expectedNext = new Date(saved.finished_at).getTime() / 1000 + 6 * 3600;
      assert.ok(Math.abs((next ?? 0) - expectedNext) < 1, `next run at ${String(next)}`);
      // Every request the registry saw, counted once, by method and status.
      const seen = await registry.accessLog();
      assert.equal(sumSamples(samples, 'reg_cleaner_registry_requests_total'), seen.length);
      const deletes = seen.filter((entry) => entry.method === 'DELETE' && entry.status === 202);
      assert.equal(
        sampleValue(samples, 'reg_cleaner_registry_requests_total', {
          method: 'DELETE',
          status: '202',
        }),
        deletes.length,
      );
      assert.ok(sampleValue(samples, 'process_resident_memory_bytes', {}) !== undefined);
      assert.ok(sampleValue(samples, 'reg_cleaner_build_info', { version: '0.1.0' }) === 1);
      for (const secret of secretsOf(registry)) assert.ok(!metrics.body.includes(secret));
      assert.doesNotMatch(metrics.body, /authorization|password/i);

      const health = await fetchLocal(port, '/healthz');
      assert.deepEqual([health.status, health.body], [200, 'ok\n']);
      assert.equal((await fetchLocal(port, '/readyz')).status, 200);
      const head = await fetchLocal(port, '/metrics', 'HEAD');
      assert.deepEqual([head.status, head.body], [200, '']);
      assert.equal((await fetchLocal(port, '/')).status, 404);
      assert.equal((await fetchLocal(port, '/metrics/../config')).status, 404);
      const post = await fetchLocal(port, '/metrics', 'POST');
      assert.deepEqual([post.status, post.headers['allow']], [405, 'GET, HEAD']);
      assert.equal((await fetchLocal(port, '/healthz', 'DELETE')).status, 405);
    } finally {
      cli.child.kill('SIGTERM');
    }
    const result = await cli.result;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /metrics endpoint listening address=127\.0\.0\.1:\d+/);
  });

  it('an address that cannot be bound is a usage error (exit 2) before any request', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    assert.ok(address !== null && typeof address === 'object');
    const taken = `127.0.0.1:${String(address.port)}`;
    try {
      await registry.resetAccessLog();
      const result = await workspace.run(
        ['--watch', '--metrics-listen', taken],
        credentials(registry),
      );
      assert.equal(result.code, 2, result.stderr);
      assert.ok(
        result.stderr.includes(
          `metrics endpoint cannot listen on ${taken} (--metrics-listen): EADDRINUSE`,
        ),
        result.stderr,
      );
      // The address of config.yaml is named as such when it is the one that fails.
      await workspace.writeConfig({
        'config.yaml': configYaml(registry.url, `metrics:\n  listen: ${taken}\n`),
      });
      const fromConfig = await workspace.run(['--watch'], credentials(registry));
      assert.equal(fromConfig.code, 2, fromConfig.stderr);
      assert.ok(fromConfig.stderr.includes(`${taken} (metrics.listen of config.yaml): EADDRINUSE`));
      assert.deepEqual(await registry.accessLog(), [], 'nothing was sent to the registry');
    } finally {
      blocker.close();
      await workspace.writeConfig({ 'config.yaml': configYaml(registry.url) });
    }
  });
});

describe('one-shot runs: metrics file, JSON logs, progress', () => {
  let registry: RunningRegistry;

  before(async () => {
    registry = await startRegistry({ auth: 'basic' });
    await seed(registry);
  });

  after(async () => {
    await registry.stop();
  });

  async function oneShotWorkspace(extra = ''): Promise<Workspace> {
    const workspace = await createWorkspace();
    await workspace.writeConfig({
      'config.yaml': configYaml(registry.url, extra),
      'manual.yaml': JOB,
    });
    return workspace;
  }

  it('--metrics-file writes the Prometheus text format once, at the end, with the run in it', async () => {
    const workspace = await oneShotWorkspace();
    try {
      const result = await workspace.run(
        ['--dry-run', '--metrics-file', 'run.prom'],
        credentials(registry),
      );
      assert.equal(result.code, 0, result.stderr);
      const text = await readFile(join(workspace.dir, 'run.prom'), 'utf8');
      const samples = parseExposition(text); // strict: throws on any line out of the format
      const saved = await record(workspace);
      const job = { job: 'clean-dev', dry_run: 'true' };
      assert.equal(
        sampleValue(samples, 'reg_cleaner_tags_examined_total', job),
        total(saved.repo_stats, 'examined'),
      );
      assert.equal(sampleValue(samples, 'reg_cleaner_tags_deleted_total', job), 4);
      assert.equal(
        sampleValue(samples, 'reg_cleaner_job_runs_total', { ...job, result: 'success' }),
        1,
      );
      assert.ok((sumSamples(samples, 'reg_cleaner_registry_requests_total') ?? 0) > 0);
      assert.equal(
        sampleValue(samples, 'reg_cleaner_registry_requests_total', {
          method: 'DELETE',
          status: '202',
        }),
        undefined,
        'a dry run sends no DELETE',
      );
      // Piped stderr: no live display, no terminal control sequence, no progress line (short run).
      assert.ok(!result.stderr.includes('\u001b['), JSON.stringify(result.stderr));
      assert.doesNotMatch(result.stderr, /repositories \[|progress:/);
    } finally {
      await workspace.cleanup();
    }
  });

  it('log_format: json makes every console and file line one JSON object, with no secret', async () => {
    const workspace = await oneShotWorkspace('log_format: json\n');
    try {
      const result = await workspace.run(['--dry-run', '--http-logs'], credentials(registry));
      const secrets = secretsOf(registry);
      assert.equal(result.code, 0, result.stderr);
      const file = await readFile(join(workspace.dir, 'logs/cleaner.log'), 'utf8');
      for (const [where, text] of [
        ['stderr', result.stderr],
        ['cleaner.log', file],
      ] as const) {
        const lines = text.split('\n').filter((line) => line !== '');
        assert.ok(lines.length > 10, `${where} has lines`);
        for (const line of lines) {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          assert.equal(typeof parsed['msg'], 'string', line);
          assert.match(String(parsed['level']), /^(debug|info|warn|error)$/, line);
          assert.ok(!Number.isNaN(Date.parse(String(parsed['time']))), line);
          for (const secret of secrets) assert.ok(!line.includes(secret), line);
        }
      }
      const request = file
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line['msg'] === 'HTTP request');
      assert.equal(request?.['method'], 'GET');
      assert.match(String(request['url']), /^http:\/\/127\.0\.0\.1:\d+\/v2\//);
      // --log-format text wins over config.yaml.
      const text = await workspace.run(
        ['--dry-run', '--log-format', 'text'],
        credentials(registry),
      );
      assert.match(text.stderr, /^\S+ INFO {2}job started job=clean-dev/m);
    } finally {
      await workspace.cleanup();
    }
  });

  it('on a pseudo-terminal a live progress line is drawn on stderr and wiped at the end; stdout stays clean', async () => {
    const workspace = await oneShotWorkspace();
    try {
      // script(1) gives the CLI a terminal; stdout goes to a file so that the table is checked apart.
      // A terminal of 160 columns: script's own has the size of no terminal (0, read as 80).
      const command = `stty cols 160 rows 40; ${quote(process.execPath)} ${quote(CLI)} --dry-run > table.txt`;
      const transcript = await underTerminal(command, workspace.dir, credentials(registry));
      assert.equal(transcript.code, 0, transcript.output);
      assert.match(
        transcript.output,
        /0\/2 repositories \[-{20}\] ETA \?, 0:0\d elapsed, 0 tags, \d+ requests, would delete 0/,
      );
      assert.match(
        transcript.output,
        /2\/2 repositories \[#{20}\] ETA 0:00, 0:0\d elapsed, 6 tags, \d+ requests, would delete 4/,
      );
      // The last thing drawn is the wipe of the line (clear to the end of the screen).
      const lastBar = transcript.output.lastIndexOf('repositories [');
      assert.ok(transcript.output.indexOf('\u001b[0J', lastBar) > lastBar, 'the line is wiped');
      const table = await readFile(join(workspace.dir, 'table.txt'), 'utf8');
      assert.match(table, /WOULD DELETE/);
      assert.ok(!table.includes('\u001b') && !table.includes('repositories ['), table);
    } finally {
      await workspace.cleanup();
    }
  });
});

function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** Runs a shell command under script(1): its stdin, stdout and stderr are a pseudo-terminal. */
function underTerminal(
  command: string,
  cwd: string,
  env: Readonly<Record<string, string>>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', TERM: 'xterm', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`script did not finish: ${output}`));
    }, 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
