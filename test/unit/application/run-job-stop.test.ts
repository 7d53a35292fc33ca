import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  RegistryError,
  type RepositoryAccess,
} from '../../../src/application/ports/registry.port.js';
import { RunEvents } from '../../../src/application/run-events.js';
import { RunJob } from '../../../src/application/run-job.use-case.js';
import { compilePattern, type Job } from '../../../src/domain/job.js';
import type { TagResolution } from '../../../src/domain/tag.js';
import { FixedClock } from '../../fakes/fixed-clock.js';
import { InMemoryDeletionJournal } from '../../fakes/in-memory-deletion-journal.js';
import { InMemoryRegistry } from '../../fakes/in-memory-registry.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { RecordingRunObserver } from '../../fakes/recording-run-observer.js';
import { daysAgo } from '../../../testkit/dates.js';

// Issue 27 item 2: after SIGINT/SIGTERM, repositories not finished are reported `skipped`
// (shutdown), and a request the registry adapter refused because of the signal is no failure.

const NOW = new Date('2026-06-01T00:00:00Z');
const stoppedError = (): RegistryError => new RegistryError('stopped', 'not sent: stopping');

const JOB: Job = {
  name: 'clean-dev',
  repositories: [
    { kind: 'literal', name: 'a' },
    { kind: 'literal', name: 'b' },
    { kind: 'literal', name: 'c' },
  ],
  tagPatterns: [compilePattern('dev-')],
  saveLast: 0,
  olderThanDays: 5,
  cleanEveryHours: 0,
};

function registryOf(make: () => InMemoryRegistry = () => new InMemoryRegistry()): InMemoryRegistry {
  const registry = make();
  for (const repository of ['a', 'b', 'c']) {
    registry
      .push(repository, ['dev-1'], { digest: `sha256:${repository}1`, created: daysAgo(30, NOW) })
      .push(repository, ['dev-2'], { digest: `sha256:${repository}2`, created: daysAgo(20, NOW) });
  }
  return registry;
}

async function run(registry: InMemoryRegistry, signal: AbortSignal) {
  const logger = new RecordingLogger();
  const recorder = new RecordingRunObserver();
  const runJob = new RunJob(
    registry,
    new FixedClock(NOW),
    logger,
    new RunEvents([recorder], logger),
    new InMemoryDeletionJournal(),
  );
  const report = await runJob.execute(JOB, {
    dryRun: false,
    mode: 'manual',
    repositories: ['a', 'b', 'c'],
    signal,
  });
  return { report, seen: recorder.repositories, logger };
}

describe('RunJob after a shutdown signal', () => {
  it('a signal before the start: every repository skipped (shutdown), not one request', async () => {
    const registry = registryOf();
    const stop = new AbortController();
    stop.abort();
    const { report, seen } = await run(registry, stop.signal);
    assert.deepEqual(registry.calls, []);
    assert.deepEqual(
      report.repositories.map((summary) => [summary.repository, summary.skipped]),
      [
        ['a', 'shutdown'],
        ['b', 'shutdown'],
        ['c', 'shutdown'],
      ],
    );
    assert.ok(seen.every((repository) => repository.decisions.length === 0));
    assert.equal(report.interrupted, true);
    assert.equal(report.totals.failed, 0);
  });

  it('a signal while a repository is read: it is skipped, no error, nothing deleted', async () => {
    const stop = new AbortController();
    /** The signal comes as `a`'s tags are inspected; the adapter then refuses every request. */
    class StoppedWhileReading extends InMemoryRegistry {
      override inspectTag(
        repository: string,
        tag: string,
        access: RepositoryAccess,
      ): Promise<TagResolution> {
        stop.abort();
        void super.inspectTag(repository, tag, access);
        return Promise.reject(stoppedError());
      }
    }
    const registry = registryOf(() => new StoppedWhileReading());
    const { report, logger } = await run(registry, stop.signal);
    assert.deepEqual(registry.deletedDigests(), []);
    assert.ok(report.repositories.every((summary) => summary.skipped === 'shutdown'));
    assert.equal(report.totals.failed, 0);
    assert.deepEqual(
      logger.entries.filter((entry) => entry.level === 'error'),
      [],
      'no "repository failed" for a request the signal kept back',
    );
  });

  it('a DELETE the adapter refused because of the signal is skipped, not failed', async () => {
    const stop = new AbortController();
    class StoppedBeforeDelete extends InMemoryRegistry {
      override deleteManifest(): Promise<'deleted' | 'already-gone'> {
        // It waited in the request gate; the signal came meanwhile.
        stop.abort();
        return Promise.reject(stoppedError());
      }
    }
    const registry = registryOf(() => new StoppedBeforeDelete());
    const { report, seen } = await run(registry, stop.signal);
    const first = seen.find((repository) => repository.repository === 'a');
    assert.ok(first);
    assert.equal(first.skipped, undefined, 'its deletions had begun: reported, not skipped');
    assert.deepEqual(
      first.deletions.map((deletion) => deletion.outcome),
      [
        { status: 'skipped', why: 'shutdown requested' },
        { status: 'skipped', why: 'shutdown requested' },
      ],
    );
    assert.equal(report.totals.failed, 0);
    assert.equal(report.interrupted, true);
  });
});
