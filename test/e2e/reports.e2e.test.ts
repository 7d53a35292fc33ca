import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listTags, pushImage, pushIndex, tagExisting } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { readValidReport, type ReportFile } from '../support/report-schema.js';
import { anonymousConfigYaml, createWorkspace, type Workspace } from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

// Report files of real runs of the CLI against the real registry (issue 10): every tag with
// the decision and outcome the run applied, schema-valid JSON, HTML and Markdown naming every
// deleted tag, usage errors before any request, and reclaimable bytes against what the
// registry's garbage collector actually frees.

const MANUAL = `
- name: clean-dev
  repositories: [team/app, team/young]
  tag_regexps: [dev-, release-]
  save_last: 2
  older_than_days: 5
`;

/** The files of the one run of `dryRun` kind in a job's report folder. */
async function runFiles(
  workspace: Workspace,
  job: string,
  kind: 'dry' | 'real',
): Promise<{ json: string; html: string; md: string }> {
  const folder = join(workspace.dir, 'reports', job);
  const json = (await readdir(folder)).filter((name) => name.endsWith(`-${kind}.json`));
  assert.equal(json.length, 1, `one ${kind} run in ${folder}`);
  const base = join(folder, (json[0] ?? '').replace(/\.json$/, ''));
  return { json: `${base}.json`, html: `${base}.html`, md: `${base}.md` };
}

function tagsOf(
  report: ReportFile,
  repository: string,
): ReportFile['repositories'][number]['tags'] {
  const found = report.repositories.find((entry) => entry.name === repository);
  assert.ok(found !== undefined, `no ${repository} in the report`);
  return found.tags;
}

function decisions(report: ReportFile, repository: string): Record<string, string> {
  return Object.fromEntries(
    tagsOf(report, repository).map((tag) => [
      tag.tag,
      `${tag.action}/${tag.reason}/${String(tag.outcome)}`,
    ]),
  );
}

describe('report files of a dry run and a real run', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;
  const before_: Record<string, string[]> = {};

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    workspace = await createWorkspace();
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(
        registry.url,
        'reports:\n  formats: [json, html, md]\n  keep_last: 5\n',
      ),
      'manual.yaml': MANUAL,
    });
    // team/app: dev-1..dev-5 old (dev-1 shares its digest with `latest`, no pattern), dev-6
    // recent; release-1 an old multi-arch index, release-2 and -3 newer old images.
    for (let n = 1; n <= 5; n++) {
      const pushed = await pushImage(registry, 'team/app', [`dev-${String(n)}`], {
        created: daysAgo(40 - n),
        format: n % 2 === 0 ? 'oci' : 'docker',
      });
      if (n === 1) await tagExisting(registry, 'team/app', 'latest', pushed.digest);
    }
    await pushImage(registry, 'team/app', ['dev-6'], { created: daysAgo(1) });
    await pushIndex(
      registry,
      'team/app',
      ['release-1'],
      [
        { created: daysAgo(60), arch: 'amd64' },
        { created: daysAgo(59), arch: 'arm64' },
      ],
    );
    await pushImage(registry, 'team/app', ['release-2'], { created: daysAgo(30) });
    await pushImage(registry, 'team/app', ['release-3'], { created: daysAgo(29) });
    // team/young: nothing to delete, so `stable` (no pattern) is listed without a digest.
    await pushImage(registry, 'team/young', ['dev-a'], { created: daysAgo(1) });
    await pushImage(registry, 'team/young', ['stable'], { created: daysAgo(2) });
    for (const repository of ['team/app', 'team/young']) {
      before_[repository] = (await listTags(registry, repository)).sort();
    }
  });

  after(async () => {
    await workspace.cleanup();
    await registry.stop();
  });

  it('a dry run: every tag with its decision, nothing deleted, deletions "skipped"; a real run applies the same plan', async () => {
    const dry = await workspace.run(['--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    const dryFiles = await runFiles(workspace, 'clean-dev', 'dry');
    // The console's summary names the files.
    assert.ok(dry.stdout.includes(`clean-dev: report reports/clean-dev/`), dry.stdout);
    for (const path of Object.values(dryFiles)) {
      assert.ok(dry.stdout.includes(path.slice(workspace.dir.length + 1)), path);
    }
    const planned = await readValidReport(dryFiles.json);
    assert.equal(planned.dryRun, true);
    assert.equal(planned.status, 'success');
    assert.equal(planned.registry, registry.url);
    for (const repository of ['team/app', 'team/young']) {
      assert.deepEqual(
        tagsOf(planned, repository)
          .map((tag) => tag.tag)
          .sort(),
        before_[repository],
        `every tag of ${repository} is listed`,
      );
    }
    assert.deepEqual(decisions(planned, 'team/app'), {
      'dev-6': 'keep/recent/null',
      'dev-5': 'keep/save-last/null',
      'dev-4': 'keep/save-last/null',
      'dev-3': 'delete/old/skipped',
      'dev-2': 'delete/old/skipped',
      'dev-1': 'keep/shared-digest/null',
      'release-3': 'keep/save-last/null',
      'release-2': 'keep/save-last/null',
      'release-1': 'delete/old/skipped',
      latest: 'keep/no-match/null',
    });
    assert.ok(tagsOf(planned, 'team/app').every((tag) => tag.digest !== null));
    assert.deepEqual(
      tagsOf(planned, 'team/young').map(
        (tag) => `${tag.tag} ${tag.digest === null ? 'not read' : 'read'}`,
      ),
      ['dev-a read', 'stable not read'],
    );
    assert.deepEqual(
      await listTags(registry, 'team/app').then((tags) => tags.sort()),
      before_['team/app'],
    );
    assert.equal(planned.summary.deleted, 3);
    assert.ok(planned.summary.reclaimableBytes > 0);

    const real = await workspace.run([]);
    assert.equal(real.code, 0, real.stderr);
    const done = await readValidReport((await runFiles(workspace, 'clean-dev', 'real')).json);
    assert.equal(done.dryRun, false);
    assert.equal(done.status, 'success');
    const expected = Object.fromEntries(
      Object.entries(decisions(planned, 'team/app')).map(([tag, decision]) => [
        tag,
        decision.replace('/skipped', '/deleted'),
      ]),
    );
    assert.deepEqual(decisions(done, 'team/app'), expected);
    // What the report says went is what went; what it says stays is there.
    const left = await listTags(registry, 'team/app');
    for (const tag of tagsOf(done, 'team/app')) {
      assert.equal(left.includes(tag.tag), tag.action === 'keep', tag.tag);
    }
    assert.equal(done.summary.reclaimableBytes, planned.summary.reclaimableBytes);
    // latest.* are this run's files.
    const latest = join(workspace.dir, 'reports', 'clean-dev', 'latest.json');
    assert.equal((await readValidReport(latest)).startedAt, done.startedAt);
  });

  it('the HTML and Markdown files of both runs name every deleted tag', async () => {
    for (const kind of ['dry', 'real'] as const) {
      const files = await runFiles(workspace, 'clean-dev', kind);
      const report = await readValidReport(files.json);
      const html = await readFile(files.html, 'utf8');
      const md = await readFile(files.md, 'utf8');
      const deleted = report.repositories.flatMap((repository) =>
        repository.tags
          .filter((tag) => tag.action === 'delete')
          .map((tag) => ({ repository: repository.name, tag: tag.tag })),
      );
      assert.equal(deleted.length, 3);
      for (const { repository, tag } of deleted) {
        assert.ok(html.includes(`<td class="tag">${tag}</td>`), `${kind} HTML names ${tag}`);
        assert.ok(md.includes(`\`${repository}:${tag}\``), `${kind} Markdown names ${tag}`);
      }
      assert.match(md, kind === 'dry' ? /### Would delete \(3\)/ : /### Deleted \(3\)/);
    }
  });

  it('an unknown format and a reports folder that cannot be written are usage errors before any request', async () => {
    await registry.resetAccessLog();
    const bad = await createWorkspace();
    try {
      await bad.writeConfig({
        'config.yaml': anonymousConfigYaml(registry.url, 'reports:\n  formats: [json, pdf]\n'),
        'manual.yaml': MANUAL,
      });
      const unknown = await bad.run([]);
      assert.equal(unknown.code, 2, unknown.stderr);
      assert.match(unknown.stderr, /reports\.formats\[1\].*must be one of json, html, md, got pdf/);

      await bad.writeConfig({ 'config.yaml': anonymousConfigYaml(registry.url) });
      await writeFile(join(bad.dir, 'not-a-folder'), 'x');
      const unwritable = await bad.run(['--reports-dir', 'not-a-folder/reports']);
      assert.equal(unwritable.code, 2, unwritable.stderr);
      assert.match(
        unwritable.stderr,
        /--reports-dir not-a-folder\/reports cannot be used as a folder/,
      );
      assert.deepEqual(await registry.accessLog(), []);
    } finally {
      await bad.cleanup();
    }
  });
});

describe('reclaimable bytes against the garbage collector', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    workspace = await createWorkspace();
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(registry.url, 'reports:\n  formats: [json]\n'),
      'manual.yaml': `
- name: gc
  repositories: [team/gc, team/other]
  tag_regexps: [v]
  save_last: 2
  older_than_days: 5
`,
    });
    // Every image has its own layer and config, except v0-base and v9-base: one layer (the
    // same seed), so deleting v9-base must not count the layer v0-base still uses.
    for (let n = 1; n <= 6; n++) {
      await pushImage(registry, 'team/gc', [`v${String(n)}`], { created: daysAgo(30 + n) });
      await pushImage(registry, 'team/other', [`v${String(n)}`], {
        created: daysAgo(30 + n),
        format: 'oci',
      });
    }
    await pushImage(registry, 'team/gc', ['v0-base'], { created: daysAgo(1), seed: 'base' });
    await pushImage(registry, 'team/gc', ['v9-base'], { created: daysAgo(90), seed: 'base' });
  });

  after(async () => {
    await workspace.cleanup();
    await registry.stop();
  });

  it('reclaimableBytes is within 10% of the blob bytes the collector removes', async () => {
    const run = await workspace.run([]);
    assert.equal(run.code, 0, run.stderr);
    const report = await readValidReport(join(workspace.dir, 'reports', 'gc', 'latest.json'));
    assert.equal(report.summary.deleted, 9);
    const before = await blobBytes(registry.storageDir);
    await registry.garbageCollect();
    const freed = before - (await blobBytes(registry.storageDir));
    const reported = report.summary.reclaimableBytes;
    assert.ok(freed > 0, 'the collector removed something');
    assert.ok(
      Math.abs(reported - freed) <= freed * 0.1,
      `reported ${String(reported)} bytes, the collector freed ${String(freed)}`,
    );
    const perRepository = report.repositories.reduce(
      (sum, entry) => sum + entry.reclaimableBytes,
      0,
    );
    assert.equal(perRepository, reported);
  });
});

/** Bytes of every blob file in the registry's storage (manifests are blobs too). */
async function blobBytes(storageDir: string): Promise<number> {
  const root = join(storageDir, 'docker', 'registry', 'v2', 'blobs', 'sha256');
  let total = 0;
  for (const prefix of await readdir(root)) {
    for (const digest of await readdir(join(root, prefix))) {
      const data = await stat(join(root, prefix, digest, 'data')).catch(() => undefined);
      total += data?.size ?? 0;
    }
  }
  return total;
}
