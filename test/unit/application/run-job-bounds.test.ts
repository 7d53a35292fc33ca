import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RepositoryAccess } from '../../../src/application/ports/registry.port.js';
import { RunEvents } from '../../../src/application/run-events.js';
import { RunJob } from '../../../src/application/run-job.use-case.js';
import { compilePattern, type Job } from '../../../src/domain/job.js';
import type { TagResolution } from '../../../src/domain/tag.js';
import { FixedClock } from '../../fakes/fixed-clock.js';
import { InMemoryDeletionJournal } from '../../fakes/in-memory-deletion-journal.js';
import { InMemoryRegistry } from '../../fakes/in-memory-registry.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { daysAgo } from '../../../testkit/dates.js';

const NOW = new Date('2026-06-01T00:00:00Z');

/** Counts the inspections under way at once; each answers on a later turn of the event loop. */
class CountingRegistry extends InMemoryRegistry {
  inFlight = 0;
  mostInFlight = 0;

  override async inspectTag(
    repository: string,
    tag: string,
    access: RepositoryAccess,
  ): Promise<TagResolution> {
    this.inFlight += 1;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight -= 1;
    return super.inspectTag(repository, tag, access);
  }
}

/** A dry run of one repository of `tags` matching tags; the most inspections at once. */
async function mostAtOnce(tags: number, concurrency: number): Promise<number> {
  const registry = new CountingRegistry();
  registry.concurrency = concurrency;
  for (let index = 0; index < tags; index += 1) {
    registry.push('big', [`dev-${String(index)}`], {
      digest: `sha256:${String(index)}`,
      created: daysAgo(30, NOW),
    });
  }
  const job: Job = {
    name: 'bounded',
    repositories: [{ kind: 'literal', name: 'big' }],
    tagPatterns: [compilePattern('dev-')],
    saveLast: 0,
    olderThanDays: 5,
    cleanEveryHours: 0,
  };
  const logger = new RecordingLogger();
  const report = await new RunJob(
    registry,
    new FixedClock(NOW),
    logger,
    new RunEvents([], logger),
    new InMemoryDeletionJournal(),
  ).execute(job, { dryRun: true, mode: 'manual', repositories: ['big'] });
  assert.equal(report.totals.examined, tags);
  assert.equal(registry.calls.filter((call) => call.method === 'inspectTag').length, tags);
  return registry.mostInFlight;
}

describe('RunJob: tags inspected at once (issue 25)', () => {
  it('inspects at most 256 tags of a repository at once, and every tag once', async () => {
    // A suspended inspection waiting for the request gate holds about 1 KB: all of a
    // 1,000-tag repository's at once was megabytes held for nothing.
    assert.equal(await mostAtOnce(300, 20), 256);
  });

  it('keeps twice the registry concurrency under way when that is more than 256', async () => {
    // max_concurrent_requests: 200 with a single repository: 256 would leave slots idle.
    assert.equal(await mostAtOnce(500, 200), 400);
  });
});
