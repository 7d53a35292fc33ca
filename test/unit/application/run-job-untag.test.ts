import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunEvents } from '../../../src/application/run-events.js';
import { RunJob } from '../../../src/application/run-job.use-case.js';
import { compilePattern, type Job } from '../../../src/domain/job.js';
import type { RepositoryReport } from '../../../src/domain/job-report.js';
import { FixedClock } from '../../fakes/fixed-clock.js';
import { InMemoryDeletionJournal } from '../../fakes/in-memory-deletion-journal.js';
import { InMemoryRegistry } from '../../fakes/in-memory-registry.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { RecordingRunObserver } from '../../fakes/recording-run-observer.js';

// Issue 21: `shared_digest: untag` removes a selected tag alone when a kept tag still needs
// its image; an image all of whose tags are selected is deleted by digest as before.

const NOW = new Date('2026-06-01T00:00:00Z');
const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * 86_400_000);

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
    .push('app', ['dev-1', 'stable'], { digest: 'sha256:1', created: daysAgo(30) })
    .push('app', ['dev-2'], { digest: 'sha256:2', created: daysAgo(30) })
    .push('app', ['dev-3'], { digest: 'sha256:3', created: daysAgo(1) });
}

function setup(fake: InMemoryRegistry) {
  const logger = new RecordingLogger();
  const observer = new RecordingRunObserver();
  const journal = new InMemoryDeletionJournal();
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
    const writes = fake.calls.filter((call) =>
      ['deleteManifest', 'putManifest'].includes(call.method),
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
});
