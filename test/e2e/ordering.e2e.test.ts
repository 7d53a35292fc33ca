import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listTags, pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { readValidReport } from '../support/report-schema.js';
import { anonymousConfigYaml, createWorkspace, type Workspace } from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

/**
 * Issue 22 end to end: creation dates that disagree with the version and build-number order,
 * so that `created`, `semver` and `natural` leave different survivors. The same release
 * history is pushed to two repositories, one cleaned by date and one by version.
 */
const RELEASES: readonly (readonly [string, number])[] = [
  // [tag, age in days]: v1.2.1 was rebuilt from an old branch after v2.0.0.
  ['v0.9.0-pinned', 120],
  ['v1.0.0', 100],
  ['v2.0.0-rc.1', 90],
  ['v2.0.0', 80],
  ['v1.1.0', 70],
  ['v1.2.1', 60],
  ['latest', 50],
  ['v2.1.0', 1],
];

const BUILDS: readonly (readonly [string, number])[] = [
  ['build-100', 40],
  ['build-11', 30],
  ['build-99', 20],
  ['build-9', 10],
  ['build-5', 1],
];

function job(name: string, repository: string, orderBy: string | undefined): string {
  return [
    `- name: ${name}`,
    `  repositories: [${repository}]`,
    "  tag_regexps: ['.*']",
    "  keep_regexps: ['.*-pinned']",
    '  save_last: 2',
    '  older_than_days: 7',
    ...(orderBy === undefined ? [] : [`  order_by: ${orderBy}`]),
  ].join('\n');
}

const MANUAL = [
  job('by-date', 'rel/by-date', undefined),
  job('by-version', 'rel/by-version', 'semver'),
  job('by-build', 'builds', 'natural'),
].join('\n');

describe('order_by and keep_regexps against a real registry (issue 22)', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;
  let output = '';

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    workspace = await createWorkspace();
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(registry.url),
      'manual.yaml': MANUAL,
    });
    for (const repository of ['rel/by-date', 'rel/by-version']) {
      for (const [tag, age] of RELEASES) {
        await pushImage(registry, repository, [tag], { created: daysAgo(age) });
      }
    }
    for (const [tag, age] of BUILDS) {
      await pushImage(registry, 'builds', [tag], { created: daysAgo(age) });
    }
  });

  after(async () => {
    await workspace.cleanup();
    await registry.stop();
  });

  it('one real run: created, semver and natural each leave their own survivors', async () => {
    const result = await workspace.run([]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    output = result.stdout + result.stderr;
    // created: the 2 newest old tags (latest, the rebuilt v1.2.1); the current v2.0.0 goes.
    assert.deepEqual((await listTags(registry, 'rel/by-date')).sort(), [
      'latest',
      'v0.9.0-pinned',
      'v1.2.1',
      'v2.1.0',
    ]);
    // semver: the 2 highest old versions (v2.0.0 and its rc); latest is not a version.
    assert.deepEqual((await listTags(registry, 'rel/by-version')).sort(), [
      'latest',
      'v0.9.0-pinned',
      'v2.0.0',
      'v2.0.0-rc.1',
      'v2.1.0',
    ]);
    // natural: build-100 and build-99, though build-9 and build-11 are newer images.
    assert.deepEqual((await listTags(registry, 'builds')).sort(), [
      'build-100',
      'build-5',
      'build-99',
    ]);
  });

  it('the tag that is not a version is named in a warning: console, state and report', async () => {
    const warning = /not a version, kept because order_by is semver: latest /;
    assert.match(output, warning);
    const state = JSON.parse(
      await readFile(join(workspace.dir, 'cache/latest_cleanup.json'), 'utf8'),
    ) as Record<string, { repo_stats: { warnings: string[] }[] }>;
    const byVersion = state['by-version']?.repo_stats[0]?.warnings ?? [];
    assert.ok(
      byVersion.some((line) => warning.test(line)),
      JSON.stringify(byVersion),
    );
    const byDate = state['by-date']?.repo_stats[0]?.warnings ?? [];
    assert.ok(!byDate.some((line) => warning.test(line)), 'no such warning by date');

    const report = await readValidReport(
      join(workspace.dir, 'reports', 'by-version', 'latest.json'),
    );
    assert.equal(report.job.orderBy, 'semver');
    assert.deepEqual(report.job.keepRegexps, ['.*-pinned']);
    const repository = report.repositories[0];
    assert.ok(repository !== undefined);
    assert.ok(repository.warnings.some((line) => warning.test(line)));
    const tags = new Map(repository.tags.map((tag) => [tag.tag, tag]));
    assert.equal(tags.get('latest')?.reason, 'not-a-version');
    assert.equal(tags.get('v0.9.0-pinned')?.reason, 'keep-rule');
    assert.match(tags.get('v1.2.1')?.detail ?? '', /#3 by semver among the old tags of group \.\*/);
    assert.deepEqual(tags.get('v1.2.1')?.ranking, {
      by: 'semver',
      places: [{ group: '.*', rank: 3 }],
    });
  });
});
