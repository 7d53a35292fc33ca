import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listTags, pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { readValidReport } from '../support/report-schema.js';
import { anonymousConfigYaml, createWorkspace, type Workspace } from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

// Issue 27 item 6: the reports of a dry run and of the real run of the same job, against the
// real registry, list repositories and tags in the same (name) order, so they compare line by
// line; the real run's reports carry the undo command of its journal.

// Names out of alphabetical order in the file, and tags whose age order is not their name order.
const REPOSITORIES = ['zeta/svc', 'alpha/svc', 'mid/svc'];
const MANUAL = `
- name: ordered
  repositories: [${REPOSITORIES.join(', ')}]
  tag_regexps: [dev-]
  save_last: 1
  older_than_days: 5
`;

async function runFiles(workspace: Workspace, kind: 'dry' | 'real') {
  const folder = join(workspace.dir, 'reports', 'ordered');
  const [json] = (await readdir(folder)).filter((name) => name.endsWith(`-${kind}.json`));
  assert.ok(json !== undefined, `a ${kind} run in ${folder}`);
  const base = join(folder, json.replace(/\.json$/, ''));
  return { json: `${base}.json`, html: `${base}.html`, md: `${base}.md` };
}

/** The Markdown's list of deleted tags (or that a dry run would delete), as `repo:tag`. */
function markdownTags(md: string, heading: string): string[] {
  const section = md.slice(md.indexOf(`### ${heading}`));
  return section
    .split('\n')
    .slice(2)
    .filter((line) => line.startsWith('- '))
    .map((line) => /`([^`]+)`/.exec(line)?.[1] ?? line);
}

describe('a dry run and the real run of the same job list the same lines', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    workspace = await createWorkspace();
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(registry.url, 'reports:\n  formats: [json, html, md]\n'),
      'manual.yaml': MANUAL,
    });
    // dev-9 is the newest, dev-10 the oldest: name order and age order differ.
    for (const repository of REPOSITORIES) {
      for (const [tag, age] of [
        ['dev-9', 20],
        ['dev-10', 40],
        ['dev-2', 30],
      ] as const) {
        await pushImage(registry, repository, [tag], { created: daysAgo(age) });
      }
    }
  });

  after(async () => {
    await workspace.cleanup();
    await registry.stop();
  });

  it('JSON, HTML and Markdown: repositories and tags sorted by name, equal between the runs', async () => {
    const dry = await workspace.run(['--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    const real = await workspace.run([]);
    assert.equal(real.code, 0, real.stderr);
    const dryFiles = await runFiles(workspace, 'dry');
    const realFiles = await runFiles(workspace, 'real');

    const lines = async (path: string) =>
      (await readValidReport(path)).repositories.flatMap((repository) =>
        repository.tags.map((tag) => `${repository.name} ${tag.tag} ${tag.action} ${tag.reason}`),
      );
    const dryLines = await lines(dryFiles.json);
    assert.deepEqual(await lines(realFiles.json), dryLines);
    assert.deepEqual(dryLines, [
      'alpha/svc dev-10 delete old',
      'alpha/svc dev-2 delete old',
      'alpha/svc dev-9 keep save-last',
      'mid/svc dev-10 delete old',
      'mid/svc dev-2 delete old',
      'mid/svc dev-9 keep save-last',
      'zeta/svc dev-10 delete old',
      'zeta/svc dev-2 delete old',
      'zeta/svc dev-9 keep save-last',
    ]);

    const wouldDelete = markdownTags(await readFile(dryFiles.md, 'utf8'), 'Would delete');
    const deleted = markdownTags(await readFile(realFiles.md, 'utf8'), 'Deleted');
    assert.deepEqual(deleted, wouldDelete);
    assert.deepEqual(deleted, [
      'alpha/svc:dev-10',
      'alpha/svc:dev-2',
      'mid/svc:dev-10',
      'mid/svc:dev-2',
      'zeta/svc:dev-10',
      'zeta/svc:dev-2',
    ]);

    const headings = async (path: string) =>
      [...(await readFile(path, 'utf8')).matchAll(/<\/span> ([^<]+)<\/h2>/g)].map((m) => m[1]);
    assert.deepEqual(await headings(realFiles.html), ['alpha/svc', 'mid/svc', 'zeta/svc']);
    assert.deepEqual(await headings(dryFiles.html), await headings(realFiles.html));

    // What the runs did to the registry agrees with the reports.
    for (const repository of REPOSITORIES) {
      assert.deepEqual(await listTags(registry, repository), ['dev-9']);
    }
    // The real run's reports name its journal and the command that undoes it.
    const journal = /journal: (\S+) \(undo: (reg-cleaner --restore-from \S+)\)/.exec(real.stdout);
    assert.ok(journal !== null, real.stdout);
    const realMd = await readFile(realFiles.md, 'utf8');
    assert.ok(realMd.includes(`\n${journal[2] ?? ''}\n`), realMd);
    const raw = JSON.parse(await readFile(realFiles.json, 'utf8')) as {
      undo: { journal: string; command: string } | null;
    };
    assert.deepEqual(raw.undo && { journal: raw.undo.journal, command: raw.undo.command }, {
      journal: journal[1],
      command: journal[2],
    });
    assert.match(await readFile(dryFiles.md, 'utf8'), /nothing to undo/);
  });
});
