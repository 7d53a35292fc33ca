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
import { daysAgo } from '../../../testkit/dates.js';

// Accessories (issue 21, behaviour.md 3a) with the in-memory registry: never selected by name,
// deleted after their image (cosign tags, the referrers fallback tag and the manifests it
// lists, transitively), kept with a kept image, orphans named or deleted.

const NOW = new Date('2026-06-01T00:00:00Z');
const REPO = 'app';
const hex = (c: string): string => c.repeat(64);
const OLD = `sha256:${hex('1')}`;
const KEPT = `sha256:${hex('2')}`;
const GONE = `sha256:${hex('9')}`;
const SIG_OLD = `sha256:${hex('a')}`;
const SIG_KEPT = `sha256:${hex('b')}`;
const FALLBACK_OLD = `sha256:${hex('c')}`;
const SBOM_OLD = `sha256:${hex('d')}`;
const SIG_OF_SBOM = `sha256:${hex('e')}`;
const ORPHAN_SIG = `sha256:${hex('f')}`;
const tagOf = (digest: string, suffix = ''): string =>
  `sha256-${digest.slice('sha256:'.length)}${suffix}`;

function job(overrides: Partial<Job> = {}): Job {
  return {
    name: 'signed',
    repositories: [{ kind: 'literal', name: REPO }],
    // `.*` and `sha256-` would both match accessory tags by name: they must not.
    tagPatterns: [compilePattern('.*'), compilePattern('sha256-')],
    saveLast: 1,
    olderThanDays: 5,
    cleanEveryHours: 0,
    ...overrides,
  };
}

/**
 * v1 (old, deleted) signed, with an SBOM referrer listed by its fallback tag and the SBOM
 * signed too; v2 (kept by save_last) signed; an orphaned signature whose image is gone.
 * Cosign signature configs say 0001-01-01.
 */
function signedRegistry(): InMemoryRegistry {
  const ancient = new Date('0001-01-01T00:00:00Z');
  return new InMemoryRegistry()
    .push(REPO, ['v1'], { digest: OLD, created: daysAgo(30, NOW) })
    .push(REPO, ['v2'], { digest: KEPT, created: daysAgo(20, NOW) })
    .push(REPO, [tagOf(OLD, '.sig')], { digest: SIG_OLD, created: ancient })
    .push(REPO, [tagOf(KEPT, '.sig')], { digest: SIG_KEPT, created: ancient })
    .push(REPO, [tagOf(OLD)], { digest: FALLBACK_OLD, created: null, children: [SBOM_OLD] })
    .push(REPO, [tagOf(SBOM_OLD, '.sig')], { digest: SIG_OF_SBOM, created: ancient })
    .push(REPO, [tagOf(GONE, '.sig')], { digest: ORPHAN_SIG, created: ancient });
}

async function run(
  registry: InMemoryRegistry,
  theJob: Job,
  dryRun: boolean,
): Promise<{ report: RepositoryReport; journal: InMemoryDeletionJournal; warnings: string[] }> {
  const logger = new RecordingLogger();
  const recorder = new RecordingRunObserver();
  const journal = new InMemoryDeletionJournal();
  const runJob = new RunJob(
    registry,
    new FixedClock(NOW),
    logger,
    new RunEvents([recorder], logger),
    journal,
  );
  const result = await runJob.execute(theJob, { dryRun, mode: 'manual', repositories: [REPO] });
  const report = recorder.repositories[0];
  assert.ok(report !== undefined);
  assert.equal(result.success, true, JSON.stringify(result.errors));
  return { report, journal, warnings: [...report.warnings] };
}

describe('RunJob: accessories follow their image (issue 21)', () => {
  it('never puts an accessory tag in a group, whatever the regexps match', async () => {
    const { report } = await run(signedRegistry(), job(), true);
    assert.deepEqual(report.decisions.map((decision) => decision.tag).sort(), ['v1', 'v2']);
    assert.equal(report.unmatched?.length ?? 0, 0);
  });

  it('deletes the image, then its signature, fallback tag, SBOM and the SBOM signature', async () => {
    const registry = signedRegistry();
    const { report, journal } = await run(registry, job(), false);
    const [deletion] = report.deletions;
    assert.ok(deletion !== undefined);
    assert.equal(deletion.digest, OLD);
    assert.equal(deletion.outcome.status, 'deleted');
    assert.deepEqual(
      (deletion.accessories ?? []).map((a) => [a.digest, a.outcome.status]).sort(),
      [
        [SIG_OLD, 'deleted'],
        [FALLBACK_OLD, 'deleted'],
        [SIG_OF_SBOM, 'deleted'],
        [SBOM_OLD, 'already-gone'],
      ].sort(),
    );
    // The image went first; every accessory was journaled (role accessory) before its DELETE.
    const deletes = registry.calls.filter((call) => call.method === 'deleteManifest');
    assert.equal(deletes[0]?.reference, OLD);
    assert.deepEqual(
      journal.entries().map((entry) => [entry.manifest.digest, entry.role ?? 'image']),
      [[OLD, 'image'], ...deletes.slice(1).map((call) => [call.reference, 'accessory'])],
    );
    // Kept image v2 keeps its signature; the orphan is only named.
    assert.deepEqual(
      registry.tagsOf(REPO).sort(),
      [tagOf(GONE, '.sig'), tagOf(KEPT, '.sig'), 'v2'].sort(),
    );
  });

  it('names orphans in a warning every run, and deletes them with delete_orphaned_referrers', async () => {
    const listed = await run(signedRegistry(), job(), true);
    const warning = listed.warnings.find((text) => text.includes('orphaned'));
    assert.ok(warning?.includes(tagOf(GONE, '.sig')), listed.warnings.join('\n'));
    assert.ok(warning?.includes('delete_orphaned_referrers: true deletes them'));

    const registry = signedRegistry();
    const deleted = await run(registry, job({ deleteOrphanedReferrers: true }), false);
    assert.deepEqual(
      (deleted.report.orphans ?? []).map((orphan) => [orphan.digest, orphan.outcome.status]),
      [[ORPHAN_SIG, 'deleted']],
    );
    assert.ok(!registry.tagsOf(REPO).includes(tagOf(GONE, '.sig')));
    assert.ok(registry.tagsOf(REPO).includes(tagOf(KEPT, '.sig')));
  });

  it('writes nothing in a dry run, and says what would go', async () => {
    const registry = signedRegistry();
    const { report } = await run(registry, job({ deleteOrphanedReferrers: true }), true);
    assert.equal(registry.calls.filter((call) => call.method === 'deleteManifest').length, 0);
    const accessories = report.deletions[0]?.accessories ?? [];
    assert.equal(accessories.length, 4);
    assert.ok(accessories.every((accessory) => accessory.outcome.status === 'skipped'));
    assert.equal(report.orphans?.[0]?.outcome.status, 'skipped');
  });

  it('deletes what the referrers API lists, where the registry has one', async () => {
    const registry = new InMemoryRegistry()
      .push(REPO, ['v1'], { digest: OLD, created: daysAgo(30, NOW) })
      .push(REPO, ['v2'], { digest: KEPT, created: daysAgo(20, NOW) })
      .push(REPO, [], { digest: SBOM_OLD, created: null })
      .push(REPO, [], { digest: SIG_KEPT, created: null })
      .withReferrersApi({ [OLD]: [SBOM_OLD], [KEPT]: [SIG_KEPT] });
    const { report } = await run(registry, job(), false);
    assert.deepEqual(
      report.deletions[0]?.accessories?.map((a) => a.digest),
      [SBOM_OLD],
    );
    const deleted = registry.calls
      .filter((call) => call.method === 'deleteManifest')
      .map((call) => call.reference);
    assert.deepEqual(deleted, [OLD, SBOM_OLD]);
  });
});
