import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { accessoryTag, pushCosignSignature } from '../support/accessories.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import {
  deleteManifest,
  getManifest,
  listTags,
  manifestExists,
  pushImage,
} from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { readValidReport } from '../support/report-schema.js';
import { configYaml, createWorkspace, type Workspace } from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

/**
 * `shared_digest: untag` end to end (issue 21) against the real registry with token auth.
 * distribution 2.8 has no tag DELETE (it answers 400 DIGEST_INVALID), so every tag is removed
 * through a placeholder manifest, for real: PUT at the tag, DELETE by digest.
 */

const WRITE_METHODS = new Set(['DELETE', 'PUT', 'POST', 'PATCH']);
const REPOSITORY = 'shared/app';

function job(name: string, repository: string, extra = ''): string {
  return `
- name: ${name}
  repositories: [${repository}]
  tag_regexps: ['v', 'sha256-']
  save_last: 1
  older_than_days: 5
  shared_digest: untag
${extra}`;
}

/** Every tag of a repository and the digest it points at. */
async function pointers(
  registry: RunningRegistry,
  repository: string,
): Promise<Record<string, string>> {
  const tags = (await listTags(registry, repository)).sort();
  const digests = await Promise.all(
    tags.map(async (tag) => [tag, (await getManifest(registry, repository, tag)).digest] as const),
  );
  return Object.fromEntries(digests);
}

interface Seeded {
  readonly shared: string;
  readonly oci: string;
  readonly alone: string;
  readonly before: Record<string, string>;
}

/**
 * v1 shares a Docker image with `stable`, v5 an OCI image with `prod` (neither matches a
 * regexp): both are untagged. v2 is alone on a signed image: deleted by digest with its
 * signature. v3 is the save_last place, v6 is recent. The shared image is signed too: its
 * signature stays. One signature is an orphan.
 */
async function seed(registry: RunningRegistry): Promise<Seeded> {
  const shared = (await pushImage(registry, REPOSITORY, ['v1', 'stable'], { created: daysAgo(30) }))
    .digest;
  const oci = (
    await pushImage(registry, REPOSITORY, ['v5', 'prod'], { created: daysAgo(29), format: 'oci' })
  ).digest;
  const alone = (await pushImage(registry, REPOSITORY, ['v2'], { created: daysAgo(25) })).digest;
  await pushImage(registry, REPOSITORY, ['v3'], { created: daysAgo(20) });
  await pushImage(registry, REPOSITORY, ['v6'], { created: daysAgo(2) });
  await pushCosignSignature(registry, REPOSITORY, shared, 'sig');
  await pushCosignSignature(registry, REPOSITORY, alone, 'sig');
  const gone = (await pushImage(registry, REPOSITORY, ['v0'], { created: daysAgo(1) })).digest;
  await pushCosignSignature(registry, REPOSITORY, gone, 'sig');
  assert.equal((await deleteManifest(registry, REPOSITORY, gone)).status, 202);
  return { shared, oci, alone, before: await pointers(registry, REPOSITORY) };
}

describe('shared_digest: untag (issue 21), token auth, placeholder mechanism', () => {
  let registry: RunningRegistry;
  let env: Record<string, string>;
  const workspaces: Workspace[] = [];
  const proxies: FaultProxy[] = [];

  before(async () => {
    registry = await startRegistry({ auth: 'token' });
    env = { REG_USER: registry.username ?? '', REG_PASSWORD: registry.password ?? '' };
  });
  after(async () => {
    for (const proxy of proxies) await proxy.stop();
    for (const workspace of workspaces) await workspace.cleanup();
    await registry.stop();
  });

  async function workspaceFor(url: string, jobs: string): Promise<Workspace> {
    const workspace = await createWorkspace();
    workspaces.push(workspace);
    await workspace.writeConfig({ 'config.yaml': configYaml(url), 'manual.yaml': jobs });
    return workspace;
  }

  it('dry run writes nothing and says what it would untag; the real run removes exactly the due tags; --restore puts every tag back', async () => {
    const { shared, oci, alone, before: tagsBefore } = await seed(registry);
    const workspace = await workspaceFor(
      registry.url,
      job('shared', REPOSITORY, '  delete_orphaned_referrers: true'),
    );

    await registry.resetAccessLog();
    const dry = await workspace.run(['--jobs', 'shared', '--dry-run'], env);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    const dryWrites = (await registry.accessLog()).filter((e) => WRITE_METHODS.has(e.method));
    assert.deepEqual(dryWrites, [], 'a dry run writes nothing');
    assert.match(dry.stdout, /v1\s.*WOULD UNTAG.*image kept for `stable`/);
    assert.match(dry.stdout, /v5\s.*WOULD UNTAG.*image kept for `prod`/);
    assert.match(dry.stdout, /would untag 2/);
    assert.deepEqual(await pointers(registry, REPOSITORY), tagsBefore);

    const run = await workspace.run(['--jobs', 'shared'], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /untagged 2/);
    const staying = [accessoryTag(shared, '.sig'), 'prod', 'stable', 'v3', 'v6'];
    const expected = Object.fromEntries(staying.map((tag) => [tag, tagsBefore[tag] ?? 'missing']));
    // Exactly the due tags are gone, every other tag stays on its original image (none is on a
    // placeholder), the orphan and v2's signature went, the shared image's signature stayed.
    assert.deepEqual(await pointers(registry, REPOSITORY), expected);
    assert.equal(await manifestExists(registry, REPOSITORY, shared), true);
    assert.equal(await manifestExists(registry, REPOSITORY, oci), true);
    assert.equal(await manifestExists(registry, REPOSITORY, alone), false);

    const report = await readValidReport(join(workspace.dir, 'reports', 'shared', 'latest.json'));
    assert.equal(report.schemaVersion, 2);
    assert.equal(report.summary.untagged, 2);
    const untagged = report.repositories
      .flatMap((repository) => repository.tags)
      .filter((tag) => tag.action === 'untag')
      .map((tag) => `${tag.tag}:${String(tag.outcome)}`);
    assert.deepEqual(untagged.sort(), ['v1:untagged', 'v5:untagged']);

    const restore = await workspace.run(['--restore', '--jobs', 'shared'], env);
    assert.equal(restore.code, 0, restore.stdout + restore.stderr);
    assert.deepEqual(await pointers(registry, REPOSITORY), tagsBefore);
  });

  it('the placeholder DELETE refused: a failure naming the tag; the next run finishes it, --restore puts the tag back', async () => {
    const repository = 'faulty/refused';
    const image = (
      await pushImage(registry, repository, ['v1', 'stable'], { created: daysAgo(30) })
    ).digest;
    const proxy = await startFaultProxy(registry.url);
    proxies.push(proxy);
    // DELETEs by digest in this repository: the delete check (404), the tag DELETE probe's
    // clean-up, then the placeholder's: that third one is refused.
    proxy.addRule({
      method: 'DELETE',
      path: /^\/v2\/faulty\/refused\/manifests\/sha256:/,
      when: { nth: 3 },
      fault: { kind: 'status', status: 403, body: '{"errors":[{"code":"DENIED"}]}' },
    });
    const jobs = job('refused', repository).replace('save_last: 1', 'save_last: 0');
    const faulty = await workspaceFor(proxy.url, jobs);
    const first = await faulty.run(['--jobs', 'refused'], env);
    assert.equal(first.code, 1, first.stdout + first.stderr);
    assert.match(first.stdout + first.stderr, /faulty\/refused:v1 is left on placeholder/);
    const placed = (await getManifest(registry, repository, 'v1')).digest;
    assert.notEqual(placed, image, 'v1 is on the placeholder now');
    assert.equal((await getManifest(registry, repository, 'stable')).digest, image);

    // The same workspace (its journal), straight to the registry: the run finishes it.
    await faulty.writeConfig({ 'config.yaml': configYaml(registry.url) });
    const second = await faulty.run(['--jobs', 'refused'], env);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout + second.stderr, /tag v1 was left on placeholder/);
    assert.deepEqual(await pointers(registry, repository), { stable: image });
    assert.equal(await manifestExists(registry, repository, placed), false);

    const restore = await faulty.run(['--restore', '--jobs', 'refused'], env);
    assert.equal(restore.code, 0, restore.stdout + restore.stderr);
    assert.deepEqual(await pointers(registry, repository), { stable: image, v1: image });
  });

  it('SIGKILL between the placeholder PUT and its DELETE: --restore leaves every tag on its original image', async () => {
    const repository = 'faulty/killed';
    const image = (
      await pushImage(registry, repository, ['v1', 'stable'], { created: daysAgo(30) })
    ).digest;
    const proxy = await startFaultProxy(registry.url);
    proxies.push(proxy);
    const jobs = job('killed', repository).replace('save_last: 1', 'save_last: 0');
    const workspace = await workspaceFor(proxy.url, jobs);
    let kill: () => void = () => undefined;
    proxy.addRule({
      method: 'DELETE',
      path: /^\/v2\/faulty\/killed\/manifests\/sha256:/,
      when: { nth: 3 },
      fault: {
        kind: 'hold',
        phase: 'before',
        onHold: () => {
          kill();
        },
      },
    });
    const cli = workspace.spawn(['--jobs', 'killed'], env);
    kill = () => cli.child.kill('SIGKILL');
    await cli.result;
    const placed = (await getManifest(registry, repository, 'v1')).digest;
    assert.notEqual(placed, image, 'killed with v1 on the placeholder');

    await workspace.writeConfig({ 'config.yaml': configYaml(registry.url) });
    const restore = await workspace.run(['--restore', '--jobs', 'killed'], env);
    assert.equal(restore.code, 0, restore.stdout + restore.stderr);
    assert.deepEqual(await pointers(registry, repository), { stable: image, v1: image });
    assert.equal(await manifestExists(registry, repository, placed), false, 'placeholder gone');
  });
});
