import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from '../../../src/application/ports/registry.port.js';
import { RunJob } from '../../../src/application/run-job.use-case.js';
import { RunEvents } from '../../../src/application/run-events.js';
import type { JobReport } from '../../../src/domain/job-report.js';
import { aJob } from '../../builders/jobs.js';
import { FixedClock } from '../../fakes/fixed-clock.js';
import { InMemoryDeletionJournal } from '../../fakes/in-memory-deletion-journal.js';
import { InMemoryRegistry } from '../../fakes/in-memory-registry.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { RecordingRunObserver } from '../../fakes/recording-run-observer.js';
import { settle } from '../../fakes/settle.js';

const NOW = new Date('2026-06-01T00:00:00Z');
/** Far more digests than any sensible number of deletions in flight. */
const DIGESTS_PER_REPOSITORY = 30;

/** Holds every DELETE until the test answers it, so the test decides what is "after". */
class AnsweringRegistry extends InMemoryRegistry {
  private readonly waiting: ((answer: RegistryError) => void)[] = [];

  deletesSent(): number {
    return this.deletedDigests().length;
  }

  /** Answers the oldest DELETE still waiting; false when none waits. */
  answerNext(answer: RegistryError): boolean {
    const reject = this.waiting.shift();
    reject?.(answer);
    return reject !== undefined;
  }

  /** With holdCopies(), every manifestCopy after the first waits for releaseCopies(). */
  private copiesHeld = false;
  private copiesAnswered = 0;
  private readonly heldCopies: (() => void)[] = [];

  holdCopies(): this {
    this.copiesHeld = true;
    return this;
  }

  releaseCopies(): void {
    for (const release of this.heldCopies.splice(0)) release();
  }

  override async manifestCopy(
    ...args: Parameters<InMemoryRegistry['manifestCopy']>
  ): ReturnType<InMemoryRegistry['manifestCopy']> {
    if (this.copiesHeld && this.copiesAnswered++ > 0) {
      await new Promise<void>((resolve) => this.heldCopies.push(resolve));
    }
    return super.manifestCopy(...args);
  }

  override deleteManifest(repository: string, digest: string): Promise<'deleted' | 'already-gone'> {
    this.calls.push({ method: 'deleteManifest', repository, reference: digest });
    return new Promise((_resolve, reject) => {
      this.waiting.push(reject);
    });
  }
}

function registryWithOldTags(): AnsweringRegistry {
  const registry = new AnsweringRegistry();
  for (const repository of ['team/a', 'team/b']) {
    for (let n = 1; n <= DIGESTS_PER_REPOSITORY; n++) {
      registry.push(repository, [`dev-${String(n)}`], {
        digest: `sha256:${repository}-${String(n)}`,
        created: new Date(NOW.getTime() - (30 + n) * 86_400_000),
      });
    }
  }
  return registry;
}

describe('RunJob: deletion disabled (405) with more digests than deletions in flight', () => {
  it('sends no DELETE after the 405 answer, in any repository of the job', async () => {
    const registry = registryWithOldTags();
    const disabled = new RegistryError('unsupported', 'deletion is disabled on the registry', 405);
    const logger = new RecordingLogger();
    const observer = new RecordingRunObserver();
    const runJob = new RunJob(
      registry,
      new FixedClock(NOW),
      logger,
      new RunEvents([observer], logger),
      new InMemoryDeletionJournal(),
    );
    let report: JobReport | undefined;
    const running = runJob
      .execute(aJob({ repositories: ['team/a', 'team/b'], saveLast: 0, olderThanDays: 5 }), {
        dryRun: false,
        mode: 'manual',
        repositories: ['team/a', 'team/b'],
      })
      .then((done) => (report = done));

    // Both repositories have their first deletions in flight; none answered yet.
    await settle(() => registry.deletesSent() > 0);
    await settle();
    const sentBeforeAnswer = registry.deletesSent();
    assert.ok(
      sentBeforeAnswer < 2 * DIGESTS_PER_REPOSITORY,
      `deletions are bounded: ${String(sentBeforeAnswer)} in flight`,
    );

    // The registry answers 405, to the first DELETE and then to each still in flight.
    while (registry.answerNext(disabled)) await settle();
    await running;

    assert.equal(registry.deletesSent(), sentBeforeAnswer, 'no DELETE after the 405 answer');
    assert.ok(report);
    assert.equal(report.success, false);
    assert.deepEqual(report.errors, ['deletion is disabled on the registry']);
    const outcomes = observer.repositories.flatMap((repo) => repo.deletions);
    assert.equal(outcomes.length, 2 * DIGESTS_PER_REPOSITORY);
    assert.ok(outcomes.every((deletion) => deletion.outcome.status === 'skipped'));
  });

  // The gate is checked before a deletion is journaled (a GET of the manifest, an fsync) and
  // again before its DELETE: a 405 that arrives meanwhile stops the DELETEs being journaled.
  it('sends no DELETE after the 405 answer, even for deletions being journaled when it came', async () => {
    const registry = registryWithOldTags().holdCopies();
    const disabled = new RegistryError('unsupported', 'deletion is disabled on the registry', 405);
    const logger = new RecordingLogger();
    const runJob = new RunJob(
      registry,
      new FixedClock(NOW),
      logger,
      new RunEvents([new RecordingRunObserver()], logger),
      new InMemoryDeletionJournal(),
    );
    const running = runJob.execute(
      aJob({ repositories: ['team/a'], saveLast: 0, olderThanDays: 5 }),
      { dryRun: false, mode: 'manual', repositories: ['team/a'] },
    );
    // One DELETE is out; the other deletions in flight are reading their manifests.
    await settle(() => registry.deletesSent() === 1);
    await settle();
    assert.equal(registry.deletesSent(), 1);
    registry.answerNext(disabled);
    await settle();
    registry.releaseCopies();
    await settle();
    while (registry.answerNext(disabled)) await settle();
    await running;
    assert.equal(registry.deletesSent(), 1, 'no DELETE after the 405 answer');
  });
});
