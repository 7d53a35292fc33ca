import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JournalError } from '../../../src/application/ports/deletion-journal.port.js';
import { RestoreJobs } from '../../../src/application/restore-jobs.use-case.js';
import type { JournalEntry } from '../../../src/domain/deletion-journal.js';
import { countRestore, restoreSucceeded } from '../../../src/domain/restore-report.js';
import { InMemoryDeletionJournal } from '../../fakes/in-memory-deletion-journal.js';
import { InMemoryRegistry } from '../../fakes/in-memory-registry.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { settle } from '../../fakes/settle.js';
import type { ManifestCopy } from '../../../src/domain/deletion-journal.js';
import type { RepositoryAccess } from '../../../src/application/ports/registry.port.js';

const RUN = new Date('2026-06-01T00:00:00Z');
const created = new Date('2026-01-01T00:00:00Z');

/** app: sha256:1 (dev-1, dev-1-alias), the index sha256:2 (dev-2; platforms 2a, 2b), sha256:3 (dev-3). */
function registry(): InMemoryRegistry {
  return new InMemoryRegistry()
    .push('app', ['dev-1', 'dev-1-alias'], { digest: 'sha256:1', created })
    .push('app', ['dev-2'], { digest: 'sha256:2', created, children: ['sha256:2a', 'sha256:2b'] })
    .push('app', ['dev-3'], { digest: 'sha256:3', created });
}

/** Journals the digests as RunJob does, then deletes them, as a real run of job `clean` would. */
async function deleteJournaled(
  fake: InMemoryRegistry,
  journal: InMemoryDeletionJournal,
  deletions: readonly { digest: string; tags: readonly string[] }[],
  job = 'clean',
): Promise<void> {
  for (const { digest, tags } of deletions) {
    const manifest = await fake.manifestCopy('app', digest, 'delete');
    const entry: JournalEntry = { repository: 'app', manifest, tags, job, runStartedAt: RUN };
    await journal.record(entry);
    await fake.deleteManifest('app', digest);
  }
  fake.calls.length = 0;
}

const ALL = [
  { digest: 'sha256:1', tags: ['dev-1', 'dev-1-alias'] },
  { digest: 'sha256:2', tags: ['dev-2'] },
];

function setup() {
  const fake = registry();
  const journal = new InMemoryDeletionJournal();
  const logger = new RecordingLogger();
  const restore = new RestoreJobs(fake, journal, logger);
  return { fake, journal, logger, restore };
}

const statuses = (report: Awaited<ReturnType<RestoreJobs['execute']>>): Record<string, string> =>
  Object.fromEntries(report.tags.map((tag) => [tag.tag, tag.outcome.status]));

describe('RestoreJobs (issue 16)', () => {
  it('puts every deleted tag back on its digest, the index after its listed manifests, and checks each', async () => {
    const { fake, journal, restore } = setup();
    await deleteJournaled(fake, journal, ALL);

    const report = await restore.execute([{ job: 'clean' }], { dryRun: false });

    assert.deepEqual(statuses(report), {
      'dev-1': 'restored',
      'dev-1-alias': 'restored',
      'dev-2': 'restored',
    });
    assert.equal(restoreSucceeded(report), true);
    assert.deepEqual(report.journals, [`clean@${RUN.toISOString()}`]);
    assert.deepEqual(fake.pointers('app'), {
      'dev-1': 'sha256:1',
      'dev-1-alias': 'sha256:1',
      'dev-2': 'sha256:2',
      'dev-3': 'sha256:3',
    });
    const puts = fake.calls
      .filter((call) => call.method === 'putManifest')
      .map((call) => call.reference);
    assert.ok(puts.indexOf('sha256:2a') < puts.indexOf('dev-2'));
    assert.ok(puts.indexOf('sha256:2b') < puts.indexOf('dev-2'));
    // Each restored tag is asked again after its PUT.
    const asked = fake.calls.filter(
      (call) => call.method === 'currentDigest' && call.access === 'restore',
    );
    assert.equal(asked.length, 3 + 3, 'once before any write, once after each PUT');
    assert.ok(fake.calls.every((call) => call.access === undefined || call.access === 'restore'));
  });

  it('a second restore of the same journal finds nothing to do and writes nothing', async () => {
    const { fake, journal, restore } = setup();
    await deleteJournaled(fake, journal, ALL);
    await restore.execute([{ job: 'clean' }], { dryRun: false });
    fake.calls.length = 0;

    const again = await restore.execute([{ job: 'clean' }], { dryRun: false });
    assert.deepEqual(statuses(again), {
      'dev-1': 'in-place',
      'dev-1-alias': 'in-place',
      'dev-2': 'in-place',
    });
    assert.equal(restoreSucceeded(again), true);
    assert.deepEqual(
      fake.calls.filter((call) => call.method !== 'currentDigest'),
      [],
    );
  });

  it('a dry run checks tags and blobs with read access and writes nothing', async () => {
    const { fake, journal, restore } = setup();
    await deleteJournaled(fake, journal, ALL);
    const report = await restore.execute([{ job: 'clean' }], { dryRun: true });

    assert.deepEqual(statuses(report), {
      'dev-1': 'would-restore',
      'dev-1-alias': 'would-restore',
      'dev-2': 'would-restore',
    });
    assert.equal(fake.calls.filter((call) => call.method === 'putManifest').length, 0);
    assert.ok(fake.calls.every((call) => call.access === 'read'));
    assert.deepEqual(fake.tagsOf('app'), ['dev-3']);
  });

  it('leaves a tag pushed again since alone, and restores the rest', async () => {
    const { fake, journal, restore } = setup();
    await deleteJournaled(fake, journal, ALL);
    fake.push('app', ['dev-1-alias'], { digest: 'sha256:9', created });

    const report = await restore.execute([{ job: 'clean' }], { dryRun: false });
    assert.deepEqual(statuses(report), {
      'dev-1': 'restored',
      'dev-1-alias': 'moved',
      'dev-2': 'restored',
    });
    const moved = report.tags.find((tag) => tag.tag === 'dev-1-alias')?.outcome;
    assert.deepEqual(moved, { status: 'moved', digest: 'sha256:9' });
    assert.equal(fake.pointers('app')['dev-1-alias'], 'sha256:9');
    assert.equal(restoreSucceeded(report), true, 'a tag left alone is not a failure');
  });

  it('refuses a manifest whose blob was garbage collected, before any write, naming the blob; the others are restored', async () => {
    const { fake, journal, restore } = setup();
    await deleteJournaled(fake, journal, ALL);
    fake.garbageCollect('sha256:1/layer', 'sha256:2b/config');

    const report = await restore.execute([{ job: 'clean' }], { dryRun: false });
    assert.deepEqual(statuses(report), {
      'dev-1': 'refused',
      'dev-1-alias': 'refused',
      'dev-2': 'refused',
    });
    const dev1 = report.tags.find((tag) => tag.tag === 'dev-1')?.outcome;
    assert.ok(dev1?.status === 'refused');
    assert.match(
      dev1.reason,
      /layer blob sha256:1\/layer is gone: the registry's garbage collector removed it/,
    );
    const dev2 = report.tags.find((tag) => tag.tag === 'dev-2')?.outcome;
    assert.ok(dev2?.status === 'refused');
    assert.match(dev2.reason, /config blob sha256:2b\/config of platform manifest sha256:2b/);
    assert.deepEqual(
      fake.calls.filter((call) => call.method === 'putManifest'),
      [],
      'nothing half restored',
    );
    assert.equal(restoreSucceeded(report), false);
    assert.equal(countRestore(report).refused, 3);
  });

  it('restores what it can when only some manifests lost blobs; each blob is asked once', async () => {
    const { fake, journal, restore } = setup();
    await deleteJournaled(fake, journal, [...ALL, { digest: 'sha256:3', tags: ['dev-3'] }]);
    fake.garbageCollect('sha256:3/config');

    const report = await restore.execute([{ job: 'clean' }], { dryRun: false });
    assert.equal(statuses(report)['dev-3'], 'refused');
    assert.equal(statuses(report)['dev-2'], 'restored');
    assert.equal(restoreSucceeded(report), false);
    const heads = fake.calls
      .filter((call) => call.method === 'blobExists')
      .map((call) => call.reference);
    assert.equal(new Set(heads).size, heads.length);
  });

  it('a tag that does not end on the journaled digest after its PUT is a failure', async () => {
    const { fake, journal, restore } = setup();
    await deleteJournaled(fake, journal, ALL);
    fake
      .push('app', ['other'], { digest: 'sha256:8', created })
      .misdirectPut('app', 'dev-2', 'sha256:8');

    const report = await restore.execute([{ job: 'clean' }], { dryRun: false });
    const dev2 = report.tags.find((tag) => tag.tag === 'dev-2')?.outcome;
    assert.deepEqual(dev2, {
      status: 'failed',
      problem: 'after the PUT the tag points at sha256:8',
    });
    assert.equal(restoreSucceeded(report), false);
  });

  it('a tag whose state cannot be read fails alone', async () => {
    const { fake, journal, restore } = setup();
    await deleteJournaled(fake, journal, ALL);
    fake.failTag('app', 'dev-1-alias');
    const report = await restore.execute([{ job: 'clean' }], { dryRun: false });
    assert.deepEqual(statuses(report), {
      'dev-1': 'restored',
      'dev-1-alias': 'failed',
      'dev-2': 'restored',
    });
  });

  it('an entry whose DELETE never went out (a crash in between) changes nothing', async () => {
    const { fake, journal, restore } = setup();
    const manifest = await fake.manifestCopy('app', 'sha256:3', 'delete');
    await journal.record({
      repository: 'app',
      manifest,
      tags: ['dev-3'],
      job: 'clean',
      runStartedAt: RUN,
    });
    fake.calls.length = 0;

    const report = await restore.execute([{ job: 'clean' }], { dryRun: false });
    assert.deepEqual(statuses(report), { 'dev-3': 'in-place' });
    assert.deepEqual(
      fake.calls.filter((call) => call.method === 'putManifest'),
      [],
    );
  });

  it('takes the last journal of each job, or the one file named; merges what they share', async () => {
    const { fake, journal, restore } = setup();
    await deleteJournaled(
      fake,
      journal,
      [{ digest: 'sha256:1', tags: ['dev-1', 'dev-1-alias'] }],
      'a',
    );
    await deleteJournaled(fake, journal, [{ digest: 'sha256:2', tags: ['dev-2'] }], 'b');

    const both = await restore.execute([{ job: 'a' }, { job: 'b' }], { dryRun: true });
    assert.deepEqual(Object.keys(statuses(both)).sort(), ['dev-1', 'dev-1-alias', 'dev-2']);
    const one = await restore.execute([{ file: `b@${RUN.toISOString()}` }], { dryRun: true });
    assert.deepEqual(Object.keys(statuses(one)), ['dev-2']);
  });

  it('a job without a journal is bad input, found before any request', async () => {
    const { fake, restore } = setup();
    await assert.rejects(
      restore.execute([{ job: 'never-deleted' }], { dryRun: false }),
      (error: unknown) =>
        error instanceof JournalError &&
        /job never-deleted has no deletion journal/.test(error.message),
    );
    assert.deepEqual(fake.calls, []);
  });

  it('no PUT starts after the shutdown signal', async () => {
    const { fake, journal, restore } = setup();
    await deleteJournaled(fake, journal, ALL);
    const controller = new AbortController();
    controller.abort();
    const report = await restore.execute([{ job: 'clean' }], {
      dryRun: false,
      signal: controller.signal,
    });
    assert.deepEqual(
      fake.calls.filter((call) => call.method === 'putManifest'),
      [],
    );
    assert.ok(report.tags.every((tag) => tag.outcome.status === 'failed'));
  });

  it('never lets two requests on one digest overlap: a digest restored alone and listed by an index', async () => {
    const fake = new OverlapRecordingRegistry({ 'sha256:2': ['sha256:2a', 'sha256:2b'] })
      .push('app', ['dev-2'], { digest: 'sha256:2', created, children: ['sha256:2a', 'sha256:2b'] })
      .push('app', ['dev-3'], { digest: 'sha256:3', created });
    const journal = new InMemoryDeletionJournal();
    const restore = new RestoreJobs(fake, journal, new RecordingLogger());
    // An SBOM and its fallback index: the SBOM (2a) is journaled by digest, without tags.
    await deleteJournaled(fake, journal, [
      { digest: 'sha256:2', tags: ['dev-2'] },
      { digest: 'sha256:2a', tags: [] },
    ]);

    const report = await restore.execute([{ job: 'clean' }], { dryRun: false });
    assert.deepEqual(statuses(report), { 'dev-2': 'restored', 'sha256:2a': 'restored' });
    assert.ok(
      fake.calls.filter((c) => c.method === 'putManifest' && c.reference === 'sha256:2a').length >=
        2,
      'both entries PUT the digest: the case where they could overlap',
    );
    assert.deepEqual(fake.overlaps, []);
  });
});

/**
 * Each PUT and read by digest stays in flight for a few event-loop turns, and an overlap with
 * another request on the same digest is recorded: distribution 2.8 on its filesystem driver
 * can answer 500 to a read while a PUT of the same digest rewrites its link file, and the PUT
 * of an index reads every manifest it lists.
 */
class OverlapRecordingRegistry extends InMemoryRegistry {
  readonly overlaps: string[] = [];
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly listed: Readonly<Record<string, readonly string[]>>) {
    super();
  }

  override async putManifest(
    repository: string,
    reference: string,
    manifest: ManifestCopy,
  ): Promise<string> {
    const digests = [manifest.digest, ...(this.listed[manifest.digest] ?? [])];
    return this.held(digests, () => super.putManifest(repository, reference, manifest));
  }

  override async currentDigest(
    repository: string,
    tag: string,
    access: RepositoryAccess,
  ): Promise<string | undefined> {
    return this.held([tag], () => super.currentDigest(repository, tag, access));
  }

  private async held<T>(digests: readonly string[], work: () => Promise<T>): Promise<T> {
    for (const digest of digests) {
      const count = this.inFlight.get(digest) ?? 0;
      if (count > 0) this.overlaps.push(digest);
      this.inFlight.set(digest, count + 1);
    }
    try {
      await settle(undefined, 3);
      return await work();
    } finally {
      for (const digest of digests) this.inFlight.set(digest, (this.inFlight.get(digest) ?? 1) - 1);
    }
  }
}
