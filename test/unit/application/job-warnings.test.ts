import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunEvents } from '../../../src/application/run-events.js';
import { RunJob } from '../../../src/application/run-job.use-case.js';
import { RunJobs, type RunJobsOptions } from '../../../src/application/run-jobs.use-case.js';
import { compilePattern, type Job } from '../../../src/domain/job.js';
import { jobWarnings } from '../../../src/domain/job-warnings.js';
import { FixedClock } from '../../fakes/fixed-clock.js';
import { InMemoryDeletionJournal } from '../../fakes/in-memory-deletion-journal.js';
import { InMemoryRegistry } from '../../fakes/in-memory-registry.js';
import { InMemoryStateStore } from '../../fakes/in-memory-state-store.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { RecordingRunObserver } from '../../fakes/recording-run-observer.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const OLD = { digest: 'sha256:1', created: new Date('2026-01-01T00:00:00Z') };

/** A catalog that fails after the time a registry that is down takes (its retries). */
class SlowFailingCatalog extends InMemoryRegistry {
  constructor(private readonly clock: FixedClock) {
    super();
    this.failCatalog();
  }

  override listRepositories(): Promise<string[]> {
    this.clock.advanceHours(0.01);
    return super.listRepositories();
  }
}

function setup(registry: InMemoryRegistry, clock = new FixedClock(NOW)) {
  const logger = new RecordingLogger();
  const observer = new RecordingRunObserver();
  const events = new RunEvents([observer], logger);
  const state = new InMemoryStateStore();
  const journal = new InMemoryDeletionJournal();
  const runJob = new RunJob(registry, clock, logger, events, journal);
  const runJobs = new RunJobs(runJob, registry, state, events, clock, logger);
  const run = async (job: Job, options: Partial<RunJobsOptions> = {}) => {
    const [report] = await runJobs.execute([job], { dryRun: true, mode: 'manual', ...options });
    assert.ok(report);
    return report;
  };
  return { run, logger, observer, state };
}

const literal: Job = {
  name: 'typo',
  repositories: [
    { kind: 'literal', name: 'team/app' },
    { kind: 'literal', name: 'team9/does-not-exist' },
  ],
  tagPatterns: [compilePattern('dev-')],
  saveLast: 0,
  olderThanDays: 5,
  cleanEveryHours: 0,
};

const byPattern: Job = {
  ...literal,
  name: 'by-pattern',
  repositories: [{ kind: 'pattern', pattern: compilePattern('team/') }],
};

describe('job warnings (issue 27 item 4)', () => {
  it('a literal repository that does not exist is a WARN naming job and repository, and a job warning', async () => {
    const registry = new InMemoryRegistry().push('team/app', ['dev-1'], OLD);
    const { run, logger, state } = setup(registry);
    const report = await run(literal);
    assert.equal(report.success, true, 'a warning alone does not fail the job');
    const warns = logger.entries.filter((entry) => entry.level === 'warn');
    assert.equal(warns.length, 1, logger.text());
    assert.match(warns[0]?.message ?? '', /^repository not found: .*team9\/does-not-exist/);
    assert.deepEqual(warns[0]?.fields, { job: 'typo', repository: 'team9/does-not-exist' });
    const all = jobWarnings(report);
    assert.equal(all.length, 1);
    assert.match(all[0] ?? '', /^team9\/does-not-exist: repository not found/);
    assert.deepEqual(state.reports[0] && jobWarnings(state.reports[0]), all);
  });

  it('--strict fails a job with warnings, naming the count and the flag; the counts stay', async () => {
    const registry = new InMemoryRegistry().push('team/app', ['dev-1'], OLD);
    const { run } = setup(registry);
    const report = await run(literal, { strict: true });
    assert.equal(report.success, false);
    assert.deepEqual(report.errors, ['1 warning, and --strict makes warnings fail the job']);
    assert.equal(report.totals.failed, 0, 'no tag failed');
    assert.equal(report.totals.deleted, 1);
  });

  it('fail_on_warning: true fails the job; without warnings it changes nothing', async () => {
    const registry = new InMemoryRegistry().push('team/app', ['dev-1'], OLD);
    const { run } = setup(registry);
    const strictJob: Job = { ...literal, failOnWarning: true };
    const failed = await run(strictJob);
    assert.deepEqual(failed.errors, ['1 warning, and fail_on_warning makes warnings fail the job']);
    const clean = await run({
      ...strictJob,
      repositories: [{ kind: 'literal', name: 'team/app' }],
    });
    assert.equal(clean.success, true);
    assert.deepEqual(clean.errors, []);
  });

  it('a catalog that could not be read: no "matches no repository", the real duration, the observers told why', async () => {
    const clock = new FixedClock(NOW);
    const { run, logger, observer } = setup(new SlowFailingCatalog(clock), clock);
    const report = await run(byPattern);
    assert.equal(report.success, false);
    assert.deepEqual(report.warnings, []);
    assert.doesNotMatch(logger.text(), /matches no repository/);
    assert.match(report.errors[0] ?? '', /reading the registry catalog failed: catalog refused/);
    assert.equal(report.finishedAt.getTime() - report.startedAt.getTime(), 36_000);
    assert.equal(observer.started[0]?.cannotStart, report.errors[0]);
  });

  it('a catalog that was read and an r/<regex>/ matching nothing: still the warning', async () => {
    const registry = new InMemoryRegistry().push('other/app', ['dev-1'], OLD);
    const { run, logger } = setup(registry);
    const report = await run(byPattern);
    assert.deepEqual(report.warnings, ['r/team// matches no repository of the catalog']);
    assert.match(logger.text(), /r\/team\/\/ matches no repository of the catalog/);
    assert.equal(report.success, true);
  });
});
