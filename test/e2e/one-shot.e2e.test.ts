import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  listTags,
  manifestExists,
  pushImage,
  pushIndex,
  tagExisting,
} from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { anonymousConfigYaml, createWorkspace, type Workspace } from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

const WRITE_METHODS = new Set(['DELETE', 'PUT', 'POST', 'PATCH']);

const MANUAL = `
- name: clean-dev-tags
  description: dev tags older than 5 days, keep the 2 newest old ones
  repositories:
    - team/app
    - r/svc-/
  tag_regexps:
    - dev-
    - release-
  save_last: 2
  older_than_days: 5
`;

describe('one-shot cleanup against a real registry', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;
  let indexDigest: string;
  let indexChildren: string[];
  let latestDigest: string;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    workspace = await createWorkspace();
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(registry.url),
      'manual.yaml': MANUAL,
    });
    // team/app: dev-1..dev-6 old (dev-1 oldest), dev-7 recent; latest shares dev-1's digest.
    for (let n = 1; n <= 6; n++) {
      const pushed = await pushImage(registry, 'team/app', [`dev-${String(n)}`], {
        created: daysAgo(40 - n),
        format: n % 2 === 0 ? 'oci' : 'docker',
      });
      if (n === 1) latestDigest = pushed.digest;
    }
    await pushImage(registry, 'team/app', ['dev-7'], { created: daysAgo(1) });
    await tagExisting(registry, 'team/app', 'latest', latestDigest);
    // release-1 (old multi-arch index) and release-2, release-3 (newer old): save_last keeps 2 and 3.
    const index = await pushIndex(
      registry,
      'team/app',
      ['release-1'],
      [
        { created: daysAgo(60), arch: 'amd64' },
        { created: daysAgo(59), arch: 'arm64' },
      ],
    );
    indexDigest = index.digest;
    indexChildren = index.children;
    await pushImage(registry, 'team/app', ['release-2'], { created: daysAgo(30) });
    const kept = await pushIndex(
      registry,
      'team/app',
      ['release-3'],
      [
        { created: daysAgo(90), arch: 'amd64' },
        { created: daysAgo(20), arch: 'arm64' },
      ],
    );
    indexChildren.push(...kept.children);
    // dev-0 is a per-arch tag on release-3's (90 days old) amd64 image: selected by age, but
    // deleting it would break the kept multi-arch release-3.
    await tagExisting(registry, 'team/app', 'dev-0', kept.children[0] ?? '');
    // svc-a via r/svc-/ : three old dev tags; other-svc must not match (anchored at the start).
    for (let n = 1; n <= 3; n++) {
      await pushImage(registry, 'svc-a', [`dev-${String(n)}`], { created: daysAgo(50 + n) });
      await pushImage(registry, 'other-svc-a', [`dev-${String(n)}`], { created: daysAgo(50 + n) });
    }
    await registry.resetAccessLog();
  });

  after(async () => {
    await workspace.cleanup();
    await registry.stop();
  });

  it('--debug prints the plan and sends no write request', async () => {
    const result = await workspace.run(['--debug', '--jobs', 'clean-dev-tags']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /WOULD DELETE/);
    assert.match(result.stdout, /dev-3/);
    const writes = (await registry.accessLog()).filter((entry) => WRITE_METHODS.has(entry.method));
    assert.deepEqual(writes, []);
    assert.equal((await listTags(registry, 'team/app')).length, 12);
    assert.match(result.stdout, /platform image of kept index tag release-3/);
    const state = JSON.parse(
      await readFile(join(workspace.dir, 'cache/latest_cleanup.json'), 'utf8'),
    ) as Record<string, { dry_run: boolean; found_tags_count: number }>;
    const record = state['clean-dev-tags'];
    assert.ok(record);
    assert.equal(record.dry_run, true);
    assert.equal(record.found_tags_count, 5);
  });

  it('a real run leaves exactly the expected survivors', async () => {
    const result = await workspace.run(['--jobs', 'clean-dev-tags']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    // dev: old are dev-1..6 -> keep dev-6, dev-5; dev-1 shares its digest with latest -> kept.
    assert.deepEqual((await listTags(registry, 'team/app')).sort(), [
      'dev-0',
      'dev-1',
      'dev-5',
      'dev-6',
      'dev-7',
      'latest',
      'release-2',
      'release-3',
    ]);
    assert.equal(await manifestExists(registry, 'team/app', indexDigest), false);
    // The kept index still resolves, with its platform images.
    for (const child of indexChildren.slice(2)) {
      assert.equal(await manifestExists(registry, 'team/app', child), true, child);
    }
    assert.deepEqual((await listTags(registry, 'svc-a')).sort(), ['dev-1', 'dev-2']);
    assert.equal((await listTags(registry, 'other-svc-a')).length, 3);
    assert.match(result.stdout, /garbage/i);
  });

  it('a second run deletes nothing more', async () => {
    await registry.resetAccessLog();
    const result = await workspace.run(['--jobs', 'clean-dev-tags']);
    assert.equal(result.code, 0, result.stderr);
    const deletes = (await registry.accessLog()).filter((entry) => entry.method === 'DELETE');
    assert.deepEqual(deletes, []);
  });

  it('the history log has a start and a finish line per run', async () => {
    const history = await readFile(join(workspace.dir, 'cache/history.log'), 'utf8');
    assert.equal(history.trim().split('\n').length, 6);
  });
});

describe('deletion disabled on the registry', () => {
  it('reports how to enable deletions and exits 1', async () => {
    const registry = await startRegistry({ auth: 'none', deleteEnabled: false });
    const workspace = await createWorkspace();
    try {
      await workspace.writeConfig({
        'config.yaml': anonymousConfigYaml(registry.url),
        'manual.yaml': MANUAL,
      });
      for (let n = 1; n <= 4; n++) {
        await pushImage(registry, 'team/app', [`dev-${String(n)}`], { created: daysAgo(30 + n) });
      }
      const result = await workspace.run(['--jobs', 'clean-dev-tags']);
      assert.equal(result.code, 1);
      assert.match(
        result.stdout + result.stderr,
        /REGISTRY_STORAGE_DELETE_ENABLED|delete\.enabled/,
      );
      assert.equal((await listTags(registry, 'team/app')).length, 4);
    } finally {
      await workspace.cleanup();
      await registry.stop();
    }
  });
});
