import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cacheFileName } from '../../src/adapters/registry/cache/file-manifest-cache.adapter.js';
import type { RequestCounts } from '../../src/adapters/shared/http/request-stats.js';
import type { Job } from '../../src/domain/job.js';
import type { JobReport, RepositoryReport } from '../../src/domain/job-report.js';
import { aJob } from '../builders/jobs.js';
import { RecordingLogger } from '../fakes/recording-logger.js';
import type { AccessLogEntry } from '../../testkit/access-log.js';
import {
  footprintOf,
  listTags,
  pushImage,
  pushIndex,
  tagExisting,
  type PushedFootprint,
} from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { runWholeJob } from '../support/whole-run.js';
import { daysAgo } from '../../testkit/dates.js';

// Request counts of whole runs (use case + registry client + registry cache) against the real
// registry, each run in a fresh container as a fresh process would be: a cold run sends the
// minimal count of ../shared/docs/registry-v2.md ("Minimal work"), a warm run one HEAD per tag.
// Timing is never asserted here: bench/ measures it.

interface Run {
  readonly report: JobReport;
  readonly repositories: readonly RepositoryReport[];
  readonly counts: RequestCounts;
  readonly log: AccessLogEntry[];
  readonly logger: RecordingLogger;
}

async function runOnce(
  registry: RunningRegistry,
  stateDir: string,
  job: Job,
  dryRun: boolean,
): Promise<Run> {
  await registry.resetAccessLog();
  const run = await runWholeJob(registry, stateDir, job, dryRun);
  return { ...run, log: await registry.accessLog() };
}

/** `tag -> action/reason` of one repository. */
function decisions(run: Run, repository: string): Record<string, string> {
  const found = run.repositories.find((entry) => entry.repository === repository);
  assert.ok(found !== undefined, `no report for ${repository}`);
  return Object.fromEntries(
    found.decisions.map((decision) => [decision.tag, `${decision.action}/${decision.reason}`]),
  );
}

function counts(partial: Partial<RequestCounts>): RequestCounts {
  return {
    probe: 0,
    token: 0,
    catalog: 0,
    tags: 0,
    'manifest-head': 0,
    'manifest-get': 0,
    blob: 0,
    delete: 0,
    'blob-head': 0,
    'manifest-put': 0,
    referrers: 0,
    'blob-upload': 0,
    ...partial,
  };
}

/** What the registry saw, by the same kinds; the adapter's own counts must agree with it. */
function seenByRegistry(log: readonly AccessLogEntry[]): RequestCounts {
  const seen: Record<keyof RequestCounts, number> = { ...counts({}) };
  for (const { method, path } of log) {
    const bare = path.split('?', 1)[0] ?? '';
    if (bare === '/v2/') seen.probe += 1;
    else if (bare.endsWith('/tags/list')) seen.tags += 1;
    else if (bare.includes('/manifests/') && method === 'HEAD') seen['manifest-head'] += 1;
    else if (bare.includes('/manifests/') && method === 'GET') seen['manifest-get'] += 1;
    else if (bare.includes('/manifests/') && method === 'DELETE') seen.delete += 1;
    else if (bare.includes('/manifests/') && method === 'PUT') seen['manifest-put'] += 1;
    else if (bare.includes('/blobs/') && method === 'GET') seen.blob += 1;
    else if (bare.includes('/blobs/') && method === 'HEAD') seen['blob-head'] += 1;
    else if (bare.includes('/referrers/')) seen.referrers += 1;
  }
  return seen;
}

// team/app: dev-1..dev-6 old (dev-1 oldest), dev-7 recent, `latest` (no pattern) on dev-1's
// digest; release-1 an old two-platform index, release-2 and release-3 newer old images.
// team/young: two recent dev tags and a `latest`: nothing to delete there.
const APP = 'team/app';
const YOUNG = 'team/young';
const JOB = aJob({
  name: 'counted',
  repositories: [APP, YOUNG],
  tagPatterns: ['dev-', 'release-'],
  saveLast: 2,
  olderThanDays: 5,
});

// Cold: 1 probe, 2 tag lists; a GET per matching tag (7 dev + 3 release in team/app, 2 in
// team/young), per platform image of the index (2) and per unmatched tag where something
// could go (`latest` of team/app only); a GET per config (7 dev + 2 platforms + 2 releases in
// team/app, 2 in team/young).
// A run with something to delete asks once whether the registry has the referrers API
// (issue 21: referrers go with their image); distribution 2.8 answers 404, and none follows.
const COLD = counts({
  probe: 1,
  tags: 2,
  'manifest-get': 10 + 2 + 2 + 1,
  blob: 11 + 2,
  referrers: 1,
});
// Warm: the same tags confirmed with one HEAD each, nothing else.
const WARM = counts({ probe: 1, tags: 2, 'manifest-head': 10 + 2 + 1, referrers: 1 });

describe('request counts of whole runs against the real registry', () => {
  let registry: RunningRegistry;
  const dirs: string[] = [];
  const freshState = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'reg-cleaner-counts-'));
    dirs.push(dir);
    return dir;
  };
  let digests: Record<string, string>;
  /** Bytes of every manifest and blob pushed, by tag (release-1: the index and its platforms). */
  const sizes: Record<string, number> = {};
  const total = (footprint: PushedFootprint): number =>
    footprint.bytes +
    footprint.blobs.reduce((sum, blob) => sum + blob.size, 0) +
    (footprint.platforms ?? []).reduce((sum, platform) => sum + total(platform), 0);

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    digests = {};
    for (let n = 1; n <= 6; n++) {
      const pushed = await pushImage(registry, APP, [`dev-${String(n)}`], {
        created: daysAgo(40 - n),
        format: n % 2 === 0 ? 'oci' : 'docker',
      });
      digests[`dev-${String(n)}`] = pushed.digest;
      sizes[`dev-${String(n)}`] = total(await footprintOf(registry, APP, pushed.digest));
    }
    await pushImage(registry, APP, ['dev-7'], { created: daysAgo(1) });
    await tagExisting(registry, APP, 'latest', digests['dev-1'] ?? '');
    const release1 = await pushIndex(
      registry,
      APP,
      ['release-1'],
      [
        { created: daysAgo(60), arch: 'amd64' },
        { created: daysAgo(50), arch: 'arm64' },
      ],
    );
    sizes['release-1'] = total(await footprintOf(registry, APP, release1.digest));
    await pushImage(registry, APP, ['release-2'], { created: daysAgo(45) });
    await pushImage(registry, APP, ['release-3'], { created: daysAgo(44) });
    await pushImage(registry, YOUNG, ['dev-a'], { created: daysAgo(2) });
    const young = await pushImage(registry, YOUNG, ['dev-b'], { created: daysAgo(1) });
    await tagExisting(registry, YOUNG, 'latest', young.digest);
  });
  after(async () => {
    await registry.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a cold dry run sends exactly the minimal count, a warm one a HEAD per tag and nothing else', async () => {
    const state = freshState();
    const cold = await runOnce(registry, state, JOB, true);
    assert.deepEqual(cold.counts, COLD);
    assert.deepEqual(seenByRegistry(cold.log), COLD);
    assert.equal(cold.report.success, true);

    const warm = await runOnce(registry, state, JOB, true);
    assert.deepEqual(warm.counts, WARM);
    assert.deepEqual(seenByRegistry(warm.log), WARM);
    assert.deepEqual(decisions(warm, APP), decisions(cold, APP));
    assert.deepEqual(decisions(warm, YOUNG), decisions(cold, YOUNG));
    assert.equal(decisions(cold, APP)['dev-1'], 'keep/shared-digest');
    assert.equal(decisions(cold, APP)['release-1'], 'delete/old');
    // The sizes come from the same requests, and from the cache when warm: every image is
    // unique, so what would go is exactly the bytes pushed for dev-2..dev-4 and release-1.
    const reclaimable = ['dev-2', 'dev-3', 'dev-4', 'release-1']
      .map((tag) => sizes[tag] ?? Number.NaN)
      .reduce((sum, size) => sum + size, 0);
    assert.ok(reclaimable > 0);
    assert.equal(cold.report.totals.reclaimableBytes, reclaimable);
    assert.equal(warm.report.totals.reclaimableBytes, reclaimable);
  });

  it('a damaged cache file is moved aside with a warning; the run is a correct cold run', async () => {
    const state = freshState();
    const first = await runOnce(registry, state, JOB, true);
    const file = join(state, cacheFileName(registry.url));
    const text = await readFile(file, 'utf8');
    // One created date rewritten, as a bad disk or a hand edit might: the checksum catches it.
    await writeFile(
      file,
      text.replace(/"(\d{4})-/, (_match, year: string) => `"${String(Number(year) - 3)}-`),
    );
    const damaged = await runOnce(registry, state, JOB, true);
    assert.match(damaged.logger.text(), /registry cache was unreadable; moved aside/);
    assert.deepEqual(damaged.counts, COLD);
    assert.deepEqual(decisions(damaged, APP), decisions(first, APP));
    assert.equal(damaged.report.success, true);
    // And rebuilt: the next run is warm again.
    assert.deepEqual((await runOnce(registry, state, JOB, true)).counts, WARM);
  });

  it('notices tags moved between runs (HEAD digest differs -> GET) and still protects shared digests', async () => {
    const state = freshState();
    await runOnce(registry, state, JOB, true);
    // dev-5 now points at a new image; `latest` (no pattern) moved from dev-1's digest to dev-2's.
    const moved = await pushImage(registry, APP, ['dev-5'], {
      created: daysAgo(10),
      seed: 'dev-5 rebuilt',
    });
    await tagExisting(registry, APP, 'latest', digests['dev-2'] ?? '');

    const dry = await runOnce(registry, state, JOB, true);
    // Every known tag is asked by HEAD; the two moved tags are read again by tag (the GET
    // checks the body against its digest: a HEAD alone is not believed when it names another
    // digest), and only dev-5's new image costs a config blob. latest's new digest was known.
    assert.deepEqual(dry.counts, { ...WARM, 'manifest-get': 2, blob: 1 });
    const getPaths = dry.log
      .filter((entry) => entry.method === 'GET' && entry.path.includes('/manifests/'))
      .map((entry) => entry.path)
      .sort();
    assert.deepEqual(getPaths, [`/v2/${APP}/manifests/dev-5`, `/v2/${APP}/manifests/latest`]);
    assert.ok(moved.digest.startsWith('sha256:'));
    const planned = decisions(dry, APP);
    assert.equal(planned['dev-2'], 'keep/shared-digest');
    assert.equal(planned['dev-1'], 'delete/old');
    assert.equal(planned['dev-5'], 'keep/save-last');

    const real = await runOnce(registry, state, JOB, false);
    // dev-1, dev-3, dev-4 and the release-1 index. A warm run only HEADed them, so the deletion
    // journal (issue 16) costs one GET per deleted digest, plus one per platform manifest of the
    // deleted index (restoring an index PUTs them first): 4 + 2.
    assert.deepEqual(real.counts, { ...WARM, 'manifest-get': 4 + 2, delete: 4 });
    const journalGets = real.log
      .filter((entry) => entry.method === 'GET' && entry.path.includes('/manifests/sha256:'))
      .map((entry) => entry.path.split('/manifests/')[1] ?? '')
      .sort();
    const release1 = real.repositories
      .find((entry) => entry.repository === APP)
      ?.deletions.find((deletion) => deletion.tags.includes('release-1'));
    assert.ok(release1 !== undefined);
    assert.equal(journalGets.length, 6);
    assert.ok(journalGets.includes(release1.digest));
    assert.ok(journalGets.includes(digests['dev-1'] ?? ''));
    assert.equal(real.report.success, true);
    assert.deepEqual((await listTags(registry, APP)).sort(), [
      'dev-2',
      'dev-5',
      'dev-6',
      'dev-7',
      'latest',
      'release-2',
      'release-3',
    ]);
  });
});
