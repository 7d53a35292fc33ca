import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shardOf } from '../../src/domain/shard.js';
import { listTags, pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { readValidReport, type ReportFile } from '../support/report-schema.js';
import { seedRegistry } from '../../testkit/seed.js';
import { anonymousConfigYaml, createWorkspace, type Workspace } from './cli-harness.js';
import { DAY_MS } from '../../testkit/dates.js';

/**
 * `--shard I/N` end to end (issue 24, behaviour.md section 8): the built CLI against the real
 * registry. Three shards together examine every repository exactly once and plan exactly what
 * one unsharded run plans; each shard has its own lock; a restore undoes one shard's run, or
 * every shard's; a bad shard is refused before any request.
 */

const COUNT = 3;
const SHARDS = Array.from({ length: COUNT }, (_, index) => index);
const LITERAL = 'lit/one';
/** v0 is recent, v1 the one save_last keeps, v2 and v3 go. */
const JOB = `
- name: split
  repositories: ['r/shard/', ${LITERAL}]
  tag_regexps: ['v']
  save_last: 1
  older_than_days: 5
`;

const shardDir = (root: string, index: number): string =>
  join(root, `shard-${String(index)}-of-${String(COUNT)}`);

/** Per repository, each tag's decision: what two plans must agree on. */
function plan(reports: readonly ReportFile[]): Record<string, string[]> {
  const byName: Record<string, string[]> = {};
  for (const report of reports) {
    for (const repository of report.repositories) {
      assert.equal(byName[repository.name], undefined, `${repository.name} examined twice`);
      byName[repository.name] = repository.tags
        .map((tag) => `${tag.tag} ${tag.action} ${tag.reason} ${tag.digest ?? '-'}`)
        .sort();
    }
  }
  return byName;
}

describe('--shard I/N (issue 24)', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;
  let repositories: string[];

  before(async () => {
    registry = await startRegistry();
    workspace = await createWorkspace();
    const now = Date.now();
    const created = (_repository: number, tag: number): Date =>
      new Date(now - (tag === 0 ? 0 : 10 + tag) * DAY_MS);
    const seeded = await seedRegistry(registry, {
      repositories: 12,
      tagsPerRepository: 4,
      repositoryPrefix: 'shard/repo-',
      created,
    });
    for (let tag = 0; tag < 4; tag++) {
      await pushImage(registry, LITERAL, [`v${String(tag)}`], { created: created(0, tag) });
    }
    repositories = [...new Set([...seeded.map((image) => image.repository), LITERAL])].sort();
    // The seed is only a fair test if every shard has repositories of its own.
    for (const index of SHARDS) {
      assert.ok(
        repositories.some((name) => shardOf(name, COUNT) === index),
        `shard ${index}`,
      );
    }
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(registry.url),
      'manual.yaml': JOB,
    });
  });
  after(async () => {
    await workspace.cleanup();
    await registry.stop();
  });

  it('three dry-run shards examine every repository once and plan what one run plans', async () => {
    const whole = await workspace.run(['--dry-run', '--jobs', 'split']);
    assert.equal(whole.code, 0, whole.stdout + whole.stderr);
    const unsharded = await readValidReport(join(workspace.dir, 'reports/split/latest.json'));
    assert.equal(unsharded.shard, undefined);
    assert.equal(unsharded.summary.deleted, repositories.length * 2);

    await registry.resetAccessLog();
    // At once: the shards share no lock and no file.
    const runs = await Promise.all(
      SHARDS.map((index) =>
        workspace.run([
          '--dry-run',
          '--jobs',
          'split',
          '--shard',
          `${String(index)}/${String(COUNT)}`,
          '--metrics-file',
          `shard-${String(index)}.prom`,
        ]),
      ),
    );
    const reports: ReportFile[] = [];
    for (const index of SHARDS) {
      const run = runs[index];
      assert.equal(run?.code, 0, `${run?.stdout ?? ''}${run?.stderr ?? ''}`);
      assert.match(run.stdout, new RegExp(`== split \\(shard ${String(index)}/3\\): started`));
      const report = await readValidReport(
        join(shardDir(join(workspace.dir, 'reports'), index), 'split', 'latest.json'),
      );
      assert.deepEqual(report.shard, { index, count: COUNT });
      // Each repository in the shard the README's hash names.
      for (const repository of report.repositories) {
        assert.equal(shardOf(repository.name, COUNT), index, repository.name);
      }
      const state = await readFile(
        join(shardDir(join(workspace.dir, 'cache'), index), 'latest_cleanup.json'),
        'utf8',
      );
      assert.match(state, /"split"/);
      const metrics = await readFile(join(workspace.dir, `shard-${String(index)}.prom`), 'utf8');
      assert.match(metrics, new RegExp(`reg_cleaner_build_info\\{[^}]*shard="${String(index)}/3"`));
      reports.push(report);
    }
    assert.deepEqual(plan(reports), plan([unsharded]));
    assert.deepEqual(Object.keys(plan(reports)).sort(), repositories);
    const writes = (await registry.accessLog()).filter(
      (entry) => entry.method !== 'GET' && entry.method !== 'HEAD',
    );
    assert.deepEqual(writes, [], 'dry runs write nothing');
  });

  it("a running shard's lock holds only that shard: the others run, the same shard exits 2", async () => {
    const lockDir = shardDir(join(workspace.dir, 'cache'), 0);
    await mkdir(lockDir, { recursive: true });
    const lock = join(lockDir, 'reg-cleaner.lock');
    // This test process stands for a shard 0 that is running.
    await writeFile(lock, `${String(process.pid)}\n`);
    try {
      const other = await workspace.run(['--dry-run', '--jobs', 'split', '--shard', '1/3']);
      assert.equal(other.code, 0, other.stdout + other.stderr);
      const same = await workspace.run(['--dry-run', '--jobs', 'split', '--shard', '0/3']);
      assert.equal(same.code, 2, same.stdout + same.stderr);
      assert.match(same.stderr, /shard-0-of-3/);
    } finally {
      await rm(lock, { force: true });
    }
  });

  it('--restore --shard I/N undoes that shard; without --shard, every shard', async () => {
    const runs = await Promise.all(
      SHARDS.map((index) =>
        workspace.run(['--jobs', 'split', '--shard', `${String(index)}/${String(COUNT)}`]),
      ),
    );
    for (const run of runs) assert.equal(run.code, 0, run.stdout + run.stderr);
    const tagsNow = async (): Promise<Record<string, string[]>> =>
      Object.fromEntries(
        await Promise.all(
          repositories.map(async (name): Promise<[string, string[]]> => [
            name,
            (await listTags(registry, name)).sort(),
          ]),
        ),
      );
    const cleaned = ['v0', 'v1'];
    const full = ['v0', 'v1', 'v2', 'v3'];
    for (const tags of Object.values(await tagsNow())) assert.deepEqual(tags, cleaned);

    const one = await workspace.run(['--restore', '--jobs', 'split', '--shard', '1/3']);
    assert.equal(one.code, 0, one.stdout + one.stderr);
    assert.match(one.stdout, /== restore from cache\/shard-1-of-3\/journal\/split\//);
    for (const [name, tags] of Object.entries(await tagsNow())) {
      assert.deepEqual(tags, shardOf(name, COUNT) === 1 ? full : cleaned, name);
    }

    const every = await workspace.run(['--restore', '--jobs', 'split']);
    assert.equal(every.code, 0, every.stdout + every.stderr);
    for (const index of SHARDS) {
      assert.match(every.stdout, new RegExp(`== restore from cache/shard-${String(index)}-of-3/`));
    }
    for (const [name, tags] of Object.entries(await tagsNow())) assert.deepEqual(tags, full, name);
  });

  it('a shard that is not I/N, or --shard with --watch, exits 2 before any request', async () => {
    await registry.resetAccessLog();
    for (const args of [
      ['--shard', '3/3'],
      ['--shard', 'a/b'],
      ['--watch', '--shard', '0/3'],
    ]) {
      const result = await workspace.run(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, /--shard/);
    }
    assert.deepEqual(await registry.accessLog(), []);
  });
});
