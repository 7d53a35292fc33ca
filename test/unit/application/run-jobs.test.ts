import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunEvents } from '../../../src/application/run-events.js';
import { RunJob } from '../../../src/application/run-job.use-case.js';
import { RunJobs } from '../../../src/application/run-jobs.use-case.js';
import { compilePattern, type Job } from '../../../src/domain/job.js';
import { FixedClock } from '../../fakes/fixed-clock.js';
import { InMemoryDeletionJournal } from '../../fakes/in-memory-deletion-journal.js';
import { InMemoryRegistry } from '../../fakes/in-memory-registry.js';
import { InMemoryStateStore } from '../../fakes/in-memory-state-store.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { RecordingRunObserver } from '../../fakes/recording-run-observer.js';
import { settle } from '../../fakes/settle.js';
import type { RepositoryAccess } from '../../../src/application/ports/registry.port.js';

const NOW = new Date('2026-06-01T00:00:00Z');

function setup(registry: InMemoryRegistry) {
  const clock = new FixedClock(NOW);
  const logger = new RecordingLogger();
  const observer = new RecordingRunObserver();
  const events = new RunEvents([observer], logger);
  const state = new InMemoryStateStore();
  const runJobs = new RunJobs(
    new RunJob(registry, clock, logger, events, new InMemoryDeletionJournal()),
    registry,
    state,
    events,
    clock,
    logger,
  );
  return { runJobs, observer, state };
}

const job: Job = {
  name: 'by-pattern',
  repositories: [
    { kind: 'pattern', pattern: compilePattern('team') },
    { kind: 'pattern', pattern: compilePattern('nothing') },
  ],
  tagPatterns: [compilePattern('dev-')],
  saveLast: 0,
  olderThanDays: 5,
  cleanEveryHours: 0,
};

describe('RunJobs', () => {
  it('warns about an r/<regex>/ that matches no repository, in the report and the state', async () => {
    const registry = new InMemoryRegistry().push('team/app', ['dev-1'], {
      digest: 'sha256:1',
      created: new Date('2026-01-01T00:00:00Z'),
    });
    const { runJobs, observer, state } = setup(registry);
    const [report] = await runJobs.execute([job], { dryRun: true, mode: 'manual' });
    assert.ok(report);
    assert.deepEqual(report.warnings, ['r/nothing/ matches no repository of the catalog']);
    assert.equal(report.success, true);
    assert.deepEqual(state.reports[0]?.warnings, report.warnings);
    assert.deepEqual(observer.events, ['started', 'repository', 'finished']);
    assert.equal(observer.started[0]?.repositories, 1);
  });

  it('tells the observers about a job that could not start (catalog refused)', async () => {
    const registry = new InMemoryRegistry().failCatalog();
    const { runJobs, observer } = setup(registry);
    const [report] = await runJobs.execute([job], { dryRun: true, mode: 'manual' });
    assert.equal(report?.success, false);
    assert.deepEqual(observer.events, ['started', 'finished']);
    assert.equal(observer.started[0]?.repositories, 0);
  });

  it('two jobs on one repository take turns: neither reads tags the other is deleting', async () => {
    const registry = new InMemoryRegistry()
      .push('app', ['dev-1'], { digest: 'sha256:d1', created: new Date('2026-01-01T00:00:00Z') })
      .push('app', ['dev-2'], { digest: 'sha256:d2', created: new Date('2026-01-02T00:00:00Z') })
      .push('app', ['rc-1'], { digest: 'sha256:r1', created: new Date('2026-01-01T00:00:00Z') })
      .push('app', ['rc-2'], { digest: 'sha256:r2', created: new Date('2026-01-02T00:00:00Z') });
    const { runJobs } = setup(registry);
    const literal = { kind: 'literal' as const, name: 'app' };
    const dev: Job = { ...job, name: 'dev', repositories: [literal] };
    const rc: Job = { ...dev, name: 'rc', tagPatterns: [compilePattern('rc-')] };
    const reports = await runJobs.execute([dev, rc], { dryRun: false, mode: 'manual' });
    assert.deepEqual(
      reports.map((report) => [report.jobName, report.success, report.totals.deleted]),
      [
        ['dev', true, 2],
        ['rc', true, 2],
      ],
    );
    assert.deepEqual(registry.tagsOf('app'), []);
    // No interleaving: the second job lists the repository only after the first one's last call.
    const calls = registry.calls.map((call) => call.method);
    const secondListing = calls.lastIndexOf('listTags');
    assert.ok(calls.indexOf('deleteManifest') < secondListing, calls.join(' '));
    assert.deepEqual(
      calls.slice(secondListing).filter((method) => method === 'listTags'),
      ['listTags'],
    );
  });

  describe('the repositories wait for the first one only while the credentials are unproven', () => {
    const names = ['team/a', 'team/b', 'team/c'];
    for (const { how, repositories, together } of [
      { how: 'read from the catalog', repositories: job.repositories, together: true },
      {
        how: 'named (no catalog read)',
        repositories: names.map((name) => ({ kind: 'literal' as const, name })),
        together: false,
      },
    ]) {
      it(`repositories ${how}: ${together ? 'their tag lists go out together' : 'the first tag list goes alone'}`, async () => {
        const registry = new FirstTagListHeld();
        for (const name of names) {
          registry.push(name, ['dev-1'], { digest: `sha256:${name}`, created: NOW });
        }
        const { runJobs } = setup(registry);
        const running = runJobs.execute([{ ...job, repositories }], {
          dryRun: true,
          mode: 'manual',
        });
        await settle(() => registry.asked.length > 0);
        await settle();
        assert.deepEqual(registry.asked, together ? names : ['team/a']);
        registry.release();
        const [report] = await running;
        assert.equal(report?.success, true);
        assert.deepEqual([...registry.asked].sort(), names);
      });
    }
  });
});

/** Holds the answer to team/a's tag list until release(); records whose lists were asked. */
class FirstTagListHeld extends InMemoryRegistry {
  readonly asked: string[] = [];
  release: () => void = () => undefined;
  private readonly held = new Promise<void>((resolve) => {
    this.release = resolve;
  });

  override async listTags(repository: string, access: RepositoryAccess): Promise<string[]> {
    this.asked.push(repository);
    if (repository === 'team/a') await this.held;
    return super.listTags(repository, access);
  }
}
