import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { accessoryTag, pushCosignSignature, pushSbom } from '../support/accessories.js';
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
 * Accessories end to end (issue 21, behaviour.md 3a) against the real registry (distribution
 * 2.8: no referrers API, so the fallback tag is what lists an SBOM) with token auth. Signed
 * images in cosign's format, an attestation, an SBOM with `subject` and its fallback index,
 * the SBOM's own signature, and an orphaned signature; the job's regexps (`v`, `sha256-`)
 * would select every accessory tag by name.
 */

const WRITE_METHODS = new Set(['DELETE', 'PUT', 'POST', 'PATCH']);
const REPOSITORY = 'signed/app';

function manualJob(extra = ''): string {
  return `
- name: signed
  repositories: [${REPOSITORY}]
  tag_regexps: ['v', 'sha256-']
  save_last: 1
  older_than_days: 5
${extra}`;
}

interface Seeded {
  readonly v1: string;
  readonly v2: string;
  readonly sbom: string;
  /** Every tag of the repository and its digest, before the run. */
  readonly before: Record<string, string>;
}

async function seed(registry: RunningRegistry): Promise<Seeded> {
  const v1 = (await pushImage(registry, REPOSITORY, ['v1'], { created: daysAgo(30) })).digest;
  const v2 = (await pushImage(registry, REPOSITORY, ['v2'], { created: daysAgo(20) })).digest;
  await pushCosignSignature(registry, REPOSITORY, v1, 'sig');
  await pushCosignSignature(registry, REPOSITORY, v1, 'att');
  await pushCosignSignature(registry, REPOSITORY, v2, 'sig');
  const v1Manifest = await getManifest(registry, REPOSITORY, v1);
  const sbom = await pushSbom(registry, REPOSITORY, {
    digest: v1,
    mediaType: v1Manifest.mediaType,
    size: v1Manifest.bytes.length,
  });
  await pushCosignSignature(registry, REPOSITORY, sbom.digest, 'sig');
  // An image deleted by hand, whose signature stayed: an orphan.
  const gone = (await pushImage(registry, REPOSITORY, ['v0'], { created: daysAgo(1) })).digest;
  await pushCosignSignature(registry, REPOSITORY, gone, 'sig');
  assert.equal((await deleteManifest(registry, REPOSITORY, gone)).status, 202);
  const tags = await listTags(registry, REPOSITORY);
  const digests = await Promise.all(
    tags.map(async (tag) => [tag, (await getManifest(registry, REPOSITORY, tag)).digest] as const),
  );
  return { v1, v2, sbom: sbom.digest, before: Object.fromEntries(digests) };
}

describe('accessories follow their image (issue 21), token auth', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;
  let env: Record<string, string>;

  before(async () => {
    registry = await startRegistry({ auth: 'token' });
    workspace = await createWorkspace();
    env = { REG_USER: registry.username ?? '', REG_PASSWORD: registry.password ?? '' };
  });
  after(async () => {
    await workspace.cleanup();
    await registry.stop();
  });

  it('deletes an image with its signatures, SBOM and fallback tag, keeps those of kept images, deletes orphans, and --restore puts all back', async () => {
    const { v1, v2, sbom, before: tagsBefore } = await seed(registry);
    await workspace.writeConfig({
      'config.yaml': configYaml(registry.url),
      'manual.yaml': manualJob('  delete_orphaned_referrers: true'),
    });

    await registry.resetAccessLog();
    const dry = await workspace.run(['--jobs', 'signed', '--dry-run'], env);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    const dryWrites = (await registry.accessLog()).filter((e) => WRITE_METHODS.has(e.method));
    assert.deepEqual(dryWrites, [], 'a dry run writes nothing');
    assert.match(dry.stdout + dry.stderr, /orphaned accessory tag/);

    const run = await workspace.run(['--jobs', 'signed'], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(
      (await listTags(registry, REPOSITORY)).sort(),
      [accessoryTag(v2, '.sig'), 'v2'].sort(),
      'v1, its signature, attestation, fallback tag, the SBOM signature and the orphan are gone',
    );
    assert.equal(await manifestExists(registry, REPOSITORY, sbom), false, 'the SBOM is gone');
    assert.equal(await manifestExists(registry, REPOSITORY, v1), false);
    assert.equal((await getManifest(registry, REPOSITORY, 'v2')).digest, v2);

    // The report lists what went with each deleted image, and the orphan, in the schema's shape.
    const report = await readValidReport(join(workspace.dir, 'reports', 'signed', 'latest.json'));
    const listed = report.repositories.find((r) => r.name === REPOSITORY)?.accessories ?? [];
    assert.ok(listed.length > 0, 'the report lists accessories');
    assert.ok(listed.every((a) => a.outcome === 'deleted'));
    const ofImages = listed.filter((a) => !a.orphan);
    assert.ok(ofImages.every((a) => a.subject === v1 || a.subject === sbom));
    assert.ok(
      ofImages.some((a) => a.digest === sbom && a.subject === v1),
      'the SBOM, under v1',
    );
    const tagsListed = ofImages.flatMap((a) => a.tags);
    for (const suffix of ['.sig', '.att']) {
      assert.ok(tagsListed.includes(accessoryTag(v1, suffix)), `v1's ${suffix}`);
    }
    assert.equal(listed.filter((a) => a.orphan).length, 1, 'one orphan');
    // The HTML report shows the same rows, one per accessory, in its own table.
    const html = await readFile(join(workspace.dir, 'reports', 'signed', 'latest.html'), 'utf8');
    const rows = html.match(/<tr class="accessory"[^>]*>.*?<\/tr>/g) ?? [];
    assert.equal(rows.length, listed.length, 'one HTML row per accessory');
    for (const accessory of listed) {
      assert.ok(
        rows.some((row) => row.includes(`title="${accessory.digest}"`)),
        `${accessory.digest} in the HTML report`,
      );
    }

    const restore = await workspace.run(['--restore', '--jobs', 'signed'], env);
    assert.equal(restore.code, 0, restore.stdout + restore.stderr);
    const after = await listTags(registry, REPOSITORY);
    assert.deepEqual(after.sort(), Object.keys(tagsBefore).sort());
    for (const [tag, digest] of Object.entries(tagsBefore)) {
      assert.equal((await getManifest(registry, REPOSITORY, tag)).digest, digest, tag);
    }
    assert.equal(await manifestExists(registry, REPOSITORY, sbom), true, 'the SBOM is back');
  });

  it('refuses a non-boolean delete_orphaned_referrers with exit 2, naming file, job and key, before any request', async () => {
    await workspace.writeConfig({
      'config.yaml': configYaml(registry.url),
      'manual.yaml': manualJob('  delete_orphaned_referrers: "yes"'),
    });
    await registry.resetAccessLog();
    const result = await workspace.run(['--jobs', 'signed'], env);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stderr, /manual\.yaml/);
    assert.match(result.stderr, /signed/);
    assert.match(result.stderr, /delete_orphaned_referrers/);
    assert.deepEqual(await registry.accessLog(), []);
  });
});
