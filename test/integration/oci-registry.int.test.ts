import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Job } from '../../src/domain/job.js';
import type { JobReport, RepositoryReport } from '../../src/domain/job-report.js';
import { aJob } from '../builders/jobs.js';
import { accessoryTag, pushSbom } from '../support/accessories.js';
import {
  startOciRegistry,
  type OciRegistry,
  type OciRegistryOptions,
  type OciRequest,
} from '../support/oci-registry.js';
import { getManifest, pushImage, tagExisting } from '../../testkit/push-image.js';
import { runWholeJob } from '../support/whole-run.js';
import { daysAgo } from '../../testkit/dates.js';

// Issue 21, what distribution 2.8 lacks: the OCI tag DELETE (202) and the referrers API (200),
// run for real against the loopback registry of test/support/oci-registry.ts (written from the
// distribution spec's text, not from our calls). Each run is a whole run in a fresh container
// with a fresh state directory, as a fresh process would do it, so the tag DELETE check runs.

const REPOSITORY = 'team/app';

/**
 * What a run that untags costs once (per registry and repository), counted below: with a tag
 * DELETE, the delete-by-digest check (1) and the tag DELETE check (9: two blob uploads of two
 * requests, two PUTs of the throwaway tags, DELETE by tag, HEAD of the other, DELETE by
 * digest); without, the check answered 405 sends no HEAD (8), and the first placeholder reuses
 * its blobs (2 requests fewer than the 7 of every other tag).
 */
const FIXED = { tagDelete: 1 + 9, placeholder: 1 + 8 - 2 };

interface Run {
  readonly report: JobReport;
  readonly repositories: readonly RepositoryReport[];
  /** What the registry answered during the run. */
  readonly requests: readonly OciRequest[];
}

const dirs: string[] = [];
const registries: OciRegistry[] = [];
after(async () => {
  for (const registry of registries) await registry.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function registryWith(options: OciRegistryOptions): Promise<OciRegistry> {
  const registry = await startOciRegistry(options);
  registries.push(registry);
  return registry;
}

async function run(registry: OciRegistry, job: Job, dryRun: boolean): Promise<Run> {
  const stateDir = mkdtempSync(join(tmpdir(), 'reg-cleaner-oci-'));
  dirs.push(stateDir);
  const from = registry.requests.length;
  const { report, repositories } = await runWholeJob(
    { url: registry.url, maxConcurrentRequests: 4 },
    stateDir,
    job,
    dryRun,
  );
  return { report, repositories, requests: registry.requests.slice(from) };
}

/** `tag -> action/reason` of the repository. */
function decisions(result: Run): Record<string, string> {
  const found = result.repositories.find((entry) => entry.repository === REPOSITORY);
  assert.ok(found !== undefined, `no report for ${REPOSITORY}`);
  return Object.fromEntries(
    found.decisions.map((decision) => [decision.tag, `${decision.action}/${decision.reason}`]),
  );
}

const writes = (requests: readonly OciRequest[]): OciRequest[] =>
  requests.filter((request) => ['PUT', 'POST', 'PATCH', 'DELETE'].includes(request.method));

/** `v` tags old, `stable` kept (no regexp matches it), untag on. */
const UNTAG_JOB: Job = {
  ...aJob({
    name: 'untag',
    repositories: [REPOSITORY],
    tagPatterns: ['^v'],
    saveLast: 0,
    olderThanDays: 5,
  }),
  sharedDigest: 'untag',
};

interface Shared {
  readonly image: string;
  /** Tags and digests before the run. */
  readonly before: Record<string, string>;
}

/** One image carrying `stable` and `shared` old `v` tags: each of those is untagged. */
async function seedShared(registry: OciRegistry, shared: number): Promise<Shared> {
  const tags = Array.from({ length: shared }, (_, n) => `v${String(n + 1)}`);
  const { digest } = await pushImage(registry, REPOSITORY, tags, { created: daysAgo(30) });
  await tagExisting(registry, REPOSITORY, 'stable', digest);
  return { image: digest, before: registry.tags(REPOSITORY) };
}

/** After a real untag run: only `stable` is left, on its image, and nothing else is stored. */
function assertOnlyStableLeft(registry: OciRegistry, seeded: Shared): void {
  assert.deepEqual(registry.tags(REPOSITORY), { stable: seeded.image });
  assert.ok(registry.hasManifest(REPOSITORY, seeded.image));
}

/**
 * Requests per untagged tag and the fixed cost of a run that untags, counted: a real run minus
 * the dry run of the same registry state (both cold) is what untagging added; with 1 and 2
 * shared tags, the difference is the cost of one tag.
 */
async function untagCost(
  options: OciRegistryOptions,
): Promise<{ perTag: number; fixed: number; perTagRequests: string[] }> {
  const added: number[] = [];
  let perTagRequests: string[] = [];
  for (const shared of [1, 2]) {
    const registry = await registryWith(options);
    const seeded = await seedShared(registry, shared);
    const dry = await run(registry, UNTAG_JOB, true);
    assert.deepEqual(writes(dry.requests), [], 'a dry run writes nothing');
    const real = await run(registry, UNTAG_JOB, false);
    assert.equal(real.report.success, true);
    assertOnlyStableLeft(registry, seeded);
    added.push(real.requests.length - dry.requests.length);
    if (shared === 2) {
      // What touched v2 by its path (the blob uploads carry no tag), less the dry run's reads.
      const onV2 = (requests: readonly OciRequest[]): string[] =>
        requests
          .filter((request) => request.url.endsWith('/manifests/v2'))
          .map((request) => `${request.method} ${String(request.status)}`);
      perTagRequests = onV2(real.requests);
      for (const read of onV2(dry.requests)) perTagRequests.splice(perTagRequests.indexOf(read), 1);
    }
  }
  const [one = Number.NaN, two = Number.NaN] = added;
  return { perTag: two - one, fixed: one - (two - one), perTagRequests };
}

describe('shared_digest: untag against a registry with the OCI tag DELETE', () => {
  it('removes the tag by tag DELETE: no placeholder PUT, the kept tag stays on its image', async () => {
    const registry = await registryWith({});
    const seeded = await seedShared(registry, 1);
    const result = await run(registry, UNTAG_JOB, false);
    assert.equal(result.report.success, true);
    assert.deepEqual(decisions(result), { v1: 'untag/shared-digest' });
    assertOnlyStableLeft(registry, seeded);
    assert.ok(
      result.requests.some(
        (request) =>
          request.method === 'DELETE' &&
          request.url.endsWith('/manifests/v1') &&
          request.status === 202,
      ),
    );
    // Only the check's two throwaway tags were PUT (on its own manifest), never one of v1.
    const puts = result.requests.filter(
      (request) => request.method === 'PUT' && request.url.includes('/manifests/'),
    );
    assert.equal(puts.length, 2);
    assert.ok(puts.every((request) => !request.url.endsWith('/manifests/v1')));
    // Nothing was ever deleted by digest but the check's own manifest.
    const byDigest = result.requests.filter(
      (request) => request.method === 'DELETE' && request.url.includes('/manifests/sha256:'),
    );
    assert.ok(byDigest.every((request) => !request.url.endsWith(seeded.image)));
  });

  it('costs 2 requests per untagged tag (HEAD, DELETE), counted', async () => {
    const cost = await untagCost({});
    assert.deepEqual(cost.perTagRequests, ['HEAD 200', 'DELETE 202']);
    assert.equal(cost.perTag, 2);
    assert.equal(cost.fixed, FIXED.tagDelete);
  });
});

describe('shared_digest: untag where the registry has no tag DELETE', () => {
  for (const tagDelete of ['method-not-allowed', 'bad-request', 'not-found'] as const) {
    it(`tag DELETE answering ${tagDelete}: the placeholder path, and no placeholder stays tagged`, async () => {
      const registry = await registryWith({ tagDelete });
      const seeded = await seedShared(registry, 2);
      const result = await run(registry, UNTAG_JOB, false);
      assert.equal(result.report.success, true);
      assert.equal(decisions(result)['v2'], 'untag/shared-digest');
      assertOnlyStableLeft(registry, seeded);
      // The tags were moved onto placeholders (PUT at the tag), which then went by digest.
      for (const tag of ['v1', 'v2']) {
        assert.ok(
          result.requests.some(
            (request) => request.method === 'PUT' && request.url.endsWith(`/manifests/${tag}`),
          ),
          `no placeholder PUT at ${tag}`,
        );
      }
      const puts = result.requests.filter(
        (request) => request.method === 'PUT' && request.url.includes('/manifests/'),
      ).length;
      const deleted = result.requests.filter(
        (request) =>
          request.method === 'DELETE' &&
          request.url.includes('/manifests/sha256:') &&
          request.status === 202,
      ).length;
      // Every placeholder (the check's one, one per tag) is deleted: no manifest is left over.
      assert.equal(deleted, 1 + 2);
      assert.equal(puts, 2 + 2);
    });
  }

  it('costs 7 requests per untagged tag through the placeholder, counted', async () => {
    const cost = await untagCost({ tagDelete: 'method-not-allowed' });
    assert.deepEqual(cost.perTagRequests, ['HEAD 200', 'HEAD 200', 'PUT 201', 'HEAD 200']);
    assert.equal(cost.perTag, 7);
    assert.equal(cost.fixed, FIXED.placeholder);
  });
});

describe('accessories where the referrers API answers 200', () => {
  it('deleting an image deletes its referrers, found through the API; a kept image keeps its', async () => {
    const registry = await registryWith({});
    const old = (await pushImage(registry, REPOSITORY, ['v1'], { created: daysAgo(30) })).digest;
    const kept = (await pushImage(registry, REPOSITORY, ['v2'], { created: daysAgo(1) })).digest;
    const sboms: string[] = [];
    for (const subject of [old, kept]) {
      const manifest = await getManifest(registry, REPOSITORY, subject);
      const sbom = await pushSbom(registry, REPOSITORY, {
        digest: subject,
        mediaType: manifest.mediaType,
        size: manifest.bytes.length,
      });
      sboms.push(sbom.digest);
      // No fallback tag: where the API exists, a client pushes none.
      const response = await fetch(
        `${registry.url}/v2/${REPOSITORY}/manifests/${accessoryTag(subject)}`,
        { method: 'DELETE' },
      );
      assert.equal(response.status, 202);
    }
    const [oldSbom = '', keptSbom = ''] = sboms;
    assert.deepEqual(Object.keys(registry.tags(REPOSITORY)).sort(), ['v1', 'v2']);
    const job = aJob({ repositories: [REPOSITORY], tagPatterns: ['^v'], saveLast: 0 });

    const dry = await run(registry, job, true);
    assert.deepEqual(writes(dry.requests), []);
    const result = await run(registry, job, false);
    assert.equal(result.report.success, true);
    assert.equal(decisions(result)['v1'], 'delete/old');
    assert.ok(
      result.requests.some(
        (request) => request.url.includes('/referrers/') && request.status === 200,
      ),
    );
    assert.ok(!registry.hasManifest(REPOSITORY, old));
    assert.ok(!registry.hasManifest(REPOSITORY, oldSbom), 'the SBOM of the deleted image is gone');
    assert.ok(registry.hasManifest(REPOSITORY, kept));
    assert.ok(registry.hasManifest(REPOSITORY, keptSbom), 'the SBOM of the kept image stays');
    assert.deepEqual(registry.tags(REPOSITORY), { v2: kept });
  });
});
