import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from '../../../src/application/ports/registry.port.js';
import { RunEvents } from '../../../src/application/run-events.js';
import { RunJob } from '../../../src/application/run-job.use-case.js';
import { compilePattern, type Job } from '../../../src/domain/job.js';
import type { RepositoryReport } from '../../../src/domain/job-report.js';
import { FixedClock } from '../../fakes/fixed-clock.js';
import { InMemoryDeletionJournal } from '../../fakes/in-memory-deletion-journal.js';
import { InMemoryRegistry } from '../../fakes/in-memory-registry.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { RecordingRunObserver } from '../../fakes/recording-run-observer.js';
import { daysAgo } from '../../../testkit/dates.js';

// Issue 21: `shared_digest: untag` removes a selected tag alone when a kept tag still needs
// its image; an image all of whose tags are selected is deleted by digest as before.

const NOW = new Date('2026-06-01T00:00:00Z');

const JOB: Job = {
  name: 'clean-dev',
  repositories: [{ kind: 'literal', name: 'app' }],
  tagPatterns: [compilePattern('dev-')],
  saveLast: 0,
  olderThanDays: 5,
  cleanEveryHours: 0,
  sharedDigest: 'untag',
};

function registry(): InMemoryRegistry {
  return new InMemoryRegistry()
    .push('app', ['dev-1', 'stable'], { digest: 'sha256:1', created: daysAgo(30, NOW) })
    .push('app', ['dev-2'], { digest: 'sha256:2', created: daysAgo(30, NOW) })
    .push('app', ['dev-3'], { digest: 'sha256:3', created: daysAgo(1, NOW) });
}

function setup(fake: InMemoryRegistry, journal = new InMemoryDeletionJournal()) {
  const logger = new RecordingLogger();
  const observer = new RecordingRunObserver();
  const runJob = new RunJob(
    fake,
    new FixedClock(NOW),
    logger,
    new RunEvents([observer], logger),
    journal,
  );
  const run = (dryRun: boolean, job: Job = JOB) =>
    runJob.execute(job, { dryRun, mode: 'manual', repositories: ['app'] });
  const repository = (): RepositoryReport => {
    const report = observer.repositories.at(-1);
    assert.ok(report !== undefined);
    return report;
  };
  return { logger, journal, run, repository };
}

describe('RunJob with shared_digest: untag (issue 21)', () => {
  it('dry run: decides untag for the tag a kept tag shares, writes nothing, says "would untag"', async () => {
    const fake = registry();
    const { logger, journal, run, repository } = setup(fake);
    const report = await run(true);

    assert.equal(report.success, true);
    assert.equal(report.totals.untagged, 1);
    assert.equal(report.totals.deleted, 1);
    const actions = Object.fromEntries(repository().decisions.map((d) => [d.tag, d.action]));
    assert.deepEqual(actions, { 'dev-1': 'untag', 'dev-2': 'delete', 'dev-3': 'keep' });
    assert.deepEqual(repository().untags, [
      {
        repository: 'app',
        tag: 'dev-1',
        digest: 'sha256:1',
        keptFor: 'stable',
        outcome: { status: 'skipped', why: 'dry run' },
      },
    ]);
    // The tag remover is not even reached: no placeholder PUT, no DELETE of any kind.
    const writes = fake.calls.filter((call) =>
      ['deleteManifest', 'putManifest', 'removeTag'].includes(call.method),
    );
    assert.deepEqual(writes, []);
    assert.deepEqual(journal.entries(), []);
    assert.ok(
      logger.entries.some(
        (entry) =>
          entry.message === 'would untag (image kept for `stable`)' &&
          entry.fields['tag'] === 'dev-1',
      ),
      logger.text(),
    );
  });

  it('keep (the default) keeps the shared tag and untags nothing', async () => {
    const { run, repository } = setup(registry());
    const report = await run(true, { ...JOB, sharedDigest: 'keep' });
    assert.equal(report.totals.untagged, 0);
    const dev1 = repository().decisions.find((d) => d.tag === 'dev-1');
    assert.equal(`${dev1?.action} ${dev1?.reason}`, 'keep shared-digest');
    assert.equal(repository().untags, undefined);
  });

  it('real run: journals the tag, its manifest and the placeholder before removing the tag alone', async () => {
    const fake = registry();
    const { journal, run, repository } = setup(fake);
    const report = await run(false);

    assert.equal(report.success, true);
    assert.equal(report.totals.untagged, 1);
    assert.deepEqual(fake.tagsOf('app').sort(), ['dev-3', 'stable']);
    const untagEntry = journal.entries().find((entry) => entry.role === 'untag');
    assert.deepEqual(untagEntry?.tags, ['dev-1']);
    assert.equal(untagEntry.manifest.digest, 'sha256:1');
    const placeholder = untagEntry.placeholders?.[0];
    assert.equal(placeholder?.tag, 'dev-1');
    assert.ok(
      fake.calls.some(
        (call) =>
          call.method === 'removeTag' && call.reference === `dev-1 onto ${placeholder.digest}`,
      ),
      'the journaled placeholder is the one handed to the registry',
    );
    assert.deepEqual(repository().untags?.[0]?.outcome, {
      status: 'untagged',
      mechanism: 'tag-delete',
    });
    // Token scopes: a real run that may untag asks for push as well, from the start.
    assert.ok(
      fake.calls.filter((call) => call.method === 'listTags').every((c) => c.access === 'untag'),
    );
  });

  it('a failed removal is a failure naming the tag; the job fails and the image stays', async () => {
    const fake = registry().failRemoveTag(
      new RegistryError('unavailable', 'tag app:dev-1 is left on placeholder sha256:x: 503'),
    );
    const { run, repository } = setup(fake);
    const report = await run(false);

    assert.equal(report.success, false);
    assert.equal(report.totals.untagged, 0);
    assert.deepEqual(repository().untags?.[0]?.outcome, {
      status: 'failed',
      problem: 'tag app:dev-1 is left on placeholder sha256:x: 503',
    });
    assert.ok(fake.tagsOf('app').includes('stable'));
  });

  it('journals each write before it: the untag entry before removeTag, the image entry before its DELETE', async () => {
    const fake = registry();
    // Where the fake registry's call log stood when each entry was recorded.
    const recordedAt: { role: string | undefined; tags: readonly string[]; calls: number }[] = [];
    const journal = new InMemoryDeletionJournal((entry) =>
      recordedAt.push({ role: entry.role, tags: entry.tags, calls: fake.calls.length }),
    );
    const { run } = setup(fake, journal);
    assert.equal((await run(false)).success, true);

    const indexOf = (method: string, reference: (r: string) => boolean) =>
      fake.calls.findIndex((c) => c.method === method && reference(c.reference ?? ''));
    const untag = recordedAt.find((r) => r.role === 'untag');
    const image = recordedAt.find((r) => r.tags.includes('dev-2'));
    const removeAt = indexOf('removeTag', (r) => r.startsWith('dev-1 onto '));
    const deleteAt = indexOf('deleteManifest', (r) => r === 'sha256:2');
    assert.ok(untag !== undefined && image !== undefined, JSON.stringify(recordedAt));
    assert.ok(
      removeAt >= untag.calls,
      `removeTag at ${String(removeAt)}, journaled at ${String(untag.calls)}`,
    );
    assert.ok(
      deleteAt >= image.calls,
      `DELETE at ${String(deleteAt)}, journaled at ${String(image.calls)}`,
    );
  });

  it('a journal that cannot be written: no tag is removed, and the job says why', async () => {
    const fake = registry();
    const journal = new InMemoryDeletionJournal().failWrites(new Error('disk full'));
    const { run, repository } = setup(fake, journal);
    const report = await run(false);

    assert.equal(report.totals.untagged, 0);
    assert.deepEqual(
      fake.calls.filter((c) => ['removeTag', 'deleteManifest', 'putManifest'].includes(c.method)),
      [],
    );
    assert.deepEqual(repository().untags?.[0]?.outcome, {
      status: 'skipped',
      why: 'deletions stopped in this job',
    });
    assert.deepEqual(fake.tagsOf('app').sort(), ['dev-1', 'dev-2', 'dev-3', 'stable']);
  });
});
