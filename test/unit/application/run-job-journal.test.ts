import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from '../../../src/application/ports/registry.port.js';
import { RunEvents } from '../../../src/application/run-events.js';
import { RunJob } from '../../../src/application/run-job.use-case.js';
import { compilePattern, type Job } from '../../../src/domain/job.js';
import { FixedClock } from '../../fakes/fixed-clock.js';
import { InMemoryDeletionJournal } from '../../fakes/in-memory-deletion-journal.js';
import { fakeManifestBytes, InMemoryRegistry } from '../../fakes/in-memory-registry.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { daysAgo } from '../../../testkit/dates.js';

// Issue 16: a real run writes each digest's manifest and tags to the deletion journal before
// its DELETE goes out, and never deletes what it could not journal.

const NOW = new Date('2026-06-01T00:00:00Z');

const JOB: Job = {
  name: 'clean-dev',
  repositories: [{ kind: 'literal', name: 'app' }],
  tagPatterns: [compilePattern('dev-')],
  saveLast: 0,
  olderThanDays: 5,
  cleanEveryHours: 0,
};

function setup(registry: InMemoryRegistry) {
  const order: string[] = [];
  const journal = new InMemoryDeletionJournal((entry) => {
    order.push(`journal ${entry.manifest.digest}`);
  });
  const deleteManifest = registry.deleteManifest.bind(registry);
  registry.deleteManifest = (repository, digest) => {
    order.push(`DELETE ${digest}`);
    return deleteManifest(repository, digest);
  };
  const logger = new RecordingLogger();
  const runJob = new RunJob(
    registry,
    new FixedClock(NOW),
    logger,
    new RunEvents([], logger),
    journal,
  );
  const run = (dryRun: boolean) =>
    runJob.execute(JOB, { dryRun, mode: 'manual', repositories: ['app'] });
  return { journal, order, run };
}

function registryWithIndex(): InMemoryRegistry {
  return new InMemoryRegistry()
    .push('app', ['dev-1', 'dev-1-alias'], { digest: 'sha256:1', created: daysAgo(30, NOW) })
    .push('app', ['dev-2'], {
      digest: 'sha256:2',
      created: daysAgo(20, NOW),
      children: ['sha256:2a', 'sha256:2b'],
    })
    .push('app', ['dev-3'], { digest: 'sha256:3', created: daysAgo(1, NOW) });
}

describe('RunJob: the deletion journal (issue 16)', () => {
  it('journals each digest (bytes, every tag, an index with its listed manifests) before its DELETE', async () => {
    const registry = registryWithIndex();
    const { journal, order, run } = setup(registry);
    const report = await run(false);

    assert.equal(report.success, true);
    for (const digest of ['sha256:1', 'sha256:2']) {
      const journaled = order.indexOf(`journal ${digest}`);
      assert.ok(journaled >= 0 && journaled < order.indexOf(`DELETE ${digest}`), order.join(', '));
    }
    const entries = journal
      .entries()
      .sort((a, b) => a.manifest.digest.localeCompare(b.manifest.digest));
    assert.deepEqual(
      entries.map((entry) => [entry.repository, entry.manifest.digest, [...entry.tags], entry.job]),
      [
        ['app', 'sha256:1', ['dev-1', 'dev-1-alias'], 'clean-dev'],
        ['app', 'sha256:2', ['dev-2'], 'clean-dev'],
      ],
    );
    assert.ok(entries.every((entry) => entry.runStartedAt.getTime() === NOW.getTime()));
    assert.deepEqual(entries[0]?.manifest.bytes, fakeManifestBytes('sha256:1'));
    assert.deepEqual(
      entries[1]?.manifest.children.map((child) => child.digest),
      ['sha256:2a', 'sha256:2b'],
    );
    const index = entries.find((entry) => entry.manifest.digest === 'sha256:2');
    const platform = index?.manifest.children.find((child) => child.digest === 'sha256:2a');
    assert.deepEqual(platform?.bytes, fakeManifestBytes('sha256:2a'));
    assert.equal(report.journal, `clean-dev@${NOW.toISOString()}`);
  });

  it('a dry run journals nothing and names no journal', async () => {
    const { journal, run } = setup(registryWithIndex());
    const report = await run(true);
    assert.deepEqual(journal.entries(), []);
    assert.equal(report.journal, undefined);
  });

  it('a run that deletes nothing names no journal', async () => {
    const registry = new InMemoryRegistry().push('app', ['dev-1'], {
      digest: 'sha256:1',
      created: daysAgo(1, NOW),
    });
    const { journal, run } = setup(registry);
    const report = await run(false);
    assert.deepEqual(journal.entries(), []);
    assert.equal(report.journal, undefined);
  });

  it('a manifest that cannot be read is not deleted: that deletion fails, the others go on', async () => {
    const registry = registryWithIndex().failCopy('sha256:1');
    const { order, run } = setup(registry);
    const report = await run(false);

    assert.ok(!order.includes('DELETE sha256:1'));
    assert.ok(order.includes('DELETE sha256:2'));
    const failed = report.repositories[0];
    assert.equal(failed?.failed, 2, 'dev-1 and its alias count as failed');
    assert.equal(report.success, false);
    assert.deepEqual(registry.tagsOf('app'), ['dev-1', 'dev-1-alias', 'dev-3']);
  });

  it('a manifest already gone when its bytes are read is reported as already gone, without a DELETE', async () => {
    const registry = registryWithIndex();
    const copy = registry.manifestCopy.bind(registry);
    registry.manifestCopy = (repository, digest, access) =>
      digest === 'sha256:1'
        ? Promise.reject(new RegistryError('not-found', 'manifest sha256:1 not found', 404))
        : copy(repository, digest, access);
    const { order, run } = setup(registry);
    const report = await run(false);

    assert.equal(report.success, true);
    assert.ok(!order.includes('DELETE sha256:1'));
    const outcome = report.deletedTags.find((tag) => tag.tag === 'dev-1')?.status;
    assert.equal(outcome, 'already-gone');
  });

  it('a journal that cannot be written stops every deletion of the job, which fails', async () => {
    const registry = registryWithIndex();
    const { journal, order, run } = setup(registry);
    journal.failWrites(new Error('ENOSPC: no space left on device'));
    const report = await run(false);

    assert.deepEqual(
      order.filter((line) => line.startsWith('DELETE')),
      [],
    );
    assert.equal(report.success, false);
    assert.match(report.errors.join('\n'), /deletion journal could not be written: ENOSPC/);
    assert.deepEqual(registry.tagsOf('app'), ['dev-1', 'dev-1-alias', 'dev-2', 'dev-3']);
  });

  it('a signal that arrives while a deletion is journaled stops its DELETE', async () => {
    const registry = registryWithIndex();
    const controller = new AbortController();
    const journal = new InMemoryDeletionJournal(() => {
      controller.abort();
    });
    const logger = new RecordingLogger();
    const runJob = new RunJob(
      registry,
      new FixedClock(NOW),
      logger,
      new RunEvents([], logger),
      journal,
    );
    const report = await runJob.execute(JOB, {
      dryRun: false,
      mode: 'manual',
      repositories: ['app'],
      signal: controller.signal,
    });
    assert.deepEqual(registry.deletedDigests(), []);
    assert.equal(report.interrupted, true);
    assert.ok(journal.entries().length >= 1);
  });

  it('asks for the bytes with the access of a real run', async () => {
    const registry = registryWithIndex();
    await setup(registry).run(false);
    const copies = registry.calls.filter((call) => call.method === 'manifestCopy');
    assert.deepEqual(copies.map((call) => [call.reference, call.access]).sort(), [
      ['sha256:1', 'delete'],
      ['sha256:2', 'delete'],
    ]);
  });
});
