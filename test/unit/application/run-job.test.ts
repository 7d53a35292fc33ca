import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from '../../../src/application/ports/registry.port.js';
import { RunJob } from '../../../src/application/run-job.use-case.js';
import { RunEvents } from '../../../src/application/run-events.js';
import { compilePattern, resolveRepositories, type Job } from '../../../src/domain/job.js';
import type { JobReport, RepositoryReport, RunMode } from '../../../src/domain/job-report.js';
import { RecordingRunObserver } from '../../fakes/recording-run-observer.js';
import { FixedClock } from '../../fakes/fixed-clock.js';
import { InMemoryDeletionJournal } from '../../fakes/in-memory-deletion-journal.js';
import { InMemoryRegistry } from '../../fakes/in-memory-registry.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { daysAgo } from '../../../testkit/dates.js';

const NOW = new Date('2026-06-01T00:00:00Z');

function job(overrides: Partial<Job> = {}): Job {
  return {
    name: 'clean-dev',
    repositories: [{ kind: 'literal', name: 'app' }],
    tagPatterns: [compilePattern('dev-')],
    saveLast: 1,
    olderThanDays: 5,
    cleanEveryHours: 0,
    ...overrides,
  };
}

/** A JobReport with the full repository reports the observers saw, for assertions. */
type Outcome = Omit<JobReport, 'repositories'> & {
  readonly repositories: readonly RepositoryReport[];
  readonly summaries: JobReport['repositories'];
};

interface TestRunOptions {
  readonly dryRun: boolean;
  readonly mode: RunMode;
  readonly catalog?: readonly string[];
  readonly signal?: AbortSignal;
}

function setup(registry: InMemoryRegistry) {
  const logger = new RecordingLogger();
  const recorder = new RecordingRunObserver();
  const runJob = new RunJob(
    registry,
    new FixedClock(NOW),
    logger,
    new RunEvents([recorder], logger),
    new InMemoryDeletionJournal(),
  );
  return {
    logger,
    recorder,
    runJob: {
      async execute(theJob: Job, options: TestRunOptions): Promise<Outcome> {
        const { catalog, ...rest } = options;
        const first = recorder.repositories.length;
        const report = await runJob.execute(theJob, {
          ...rest,
          repositories: resolveRepositories(theJob, catalog ?? []),
        });
        return {
          ...report,
          repositories: recorder.repositories.slice(first),
          summaries: report.repositories,
        };
      },
    },
  };
}

/** app: dev-1 (old), dev-2 (old), dev-3 (old), dev-4 (recent), latest on dev-1's digest? no: on dev-3. */
function sampleRegistry(): InMemoryRegistry {
  return new InMemoryRegistry()
    .push('app', ['dev-1'], { digest: 'sha256:1', created: daysAgo(30, NOW) })
    .push('app', ['dev-2'], { digest: 'sha256:2', created: daysAgo(20, NOW) })
    .push('app', ['dev-3', 'latest'], { digest: 'sha256:3', created: daysAgo(10, NOW) })
    .push('app', ['dev-4'], { digest: 'sha256:4', created: daysAgo(1, NOW) });
}

describe('RunJob', () => {
  it('dry run builds the plan and sends no deletion', async () => {
    const registry = sampleRegistry();
    const { runJob } = setup(registry);
    const report = await runJob.execute(job(), { dryRun: true, mode: 'manual' });

    assert.deepEqual(registry.deletedDigests(), []);
    assert.deepEqual(registry.tagsOf('app'), ['dev-1', 'dev-2', 'dev-3', 'dev-4', 'latest']);
    const repo = report.repositories[0];
    assert.ok(repo);
    assert.deepEqual(
      repo.deletions.map((d) => [d.digest, d.outcome.status]),
      [
        ['sha256:1', 'skipped'],
        ['sha256:2', 'skipped'],
      ],
    );
    assert.equal(report.success, true);
    assert.equal(report.dryRun, true);
  });

  it('tells the observers of each deletion as it is answered, not only when the repository ends (issue 27)', async () => {
    const { runJob, recorder } = setup(sampleRegistry());
    await runJob.execute(job(), { dryRun: true, mode: 'manual' });
    assert.deepEqual(recorder.answered, [], 'a dry run answers no deletion');
    await runJob.execute(job(), { dryRun: false, mode: 'manual' });
    assert.deepEqual(recorder.answered, [
      'app:1 tag(s) after 1 finished',
      'app:1 tag(s) after 1 finished',
    ]);
  });

  it('dry run asks only for read access', async () => {
    const registry = sampleRegistry();
    await setup(registry).runJob.execute(job(), { dryRun: true, mode: 'manual' });
    const accesses = new Set(registry.calls.map((call) => call.access).filter(Boolean));
    assert.deepEqual([...accesses], ['read']);
  });

  it('real run deletes exactly the plan and keeps latest that shares a kept digest', async () => {
    const registry = sampleRegistry();
    const report = await setup(registry).runJob.execute(job(), { dryRun: false, mode: 'manual' });

    assert.deepEqual(registry.deletedDigests().sort(), ['app@sha256:1', 'app@sha256:2']);
    assert.deepEqual(registry.tagsOf('app'), ['dev-3', 'dev-4', 'latest']);
    assert.equal(report.success, true);
    assert.equal(report.repositories[0]?.unmatchedTags, 1);
  });

  it('a selected tag sharing its digest with an unmatched tag is kept (shared-digest)', async () => {
    const registry = new InMemoryRegistry()
      .push('app', ['dev-1', 'stable'], { digest: 'sha256:1', created: daysAgo(30, NOW) })
      .push('app', ['dev-2'], { digest: 'sha256:2', created: daysAgo(29, NOW) });
    const report = await setup(registry).runJob.execute(job({ saveLast: 0 }), {
      dryRun: false,
      mode: 'manual',
    });
    assert.deepEqual(registry.deletedDigests(), ['app@sha256:2']);
    assert.deepEqual(registry.tagsOf('app'), ['dev-1', 'stable']);
    const dev1 = report.repositories[0]?.decisions.find((d) => d.tag === 'dev-1');
    assert.equal(dev1?.reason, 'shared-digest');
  });

  it('unmatched tags are not inspected and their digests are read only when something is selected', async () => {
    const registry = new InMemoryRegistry()
      .push('app', ['dev-1'], { digest: 'sha256:1', created: daysAgo(1, NOW) })
      .push('app', ['stable'], { digest: 'sha256:9', created: daysAgo(99, NOW) });
    await setup(registry).runJob.execute(job(), { dryRun: true, mode: 'manual' });
    const touched = registry.calls.filter((c) => c.reference === 'stable');
    assert.deepEqual(touched, []);
  });

  it('an unresolved tag fails the job, is kept, and blocks deletions it cannot prove safe', async () => {
    const registry = sampleRegistry().failTag('app', 'dev-2');
    const report = await setup(registry).runJob.execute(job({ saveLast: 0 }), {
      dryRun: false,
      mode: 'manual',
    });
    assert.equal(report.success, false);
    assert.deepEqual(registry.deletedDigests(), []);
    assert.match(report.repositories[0]?.errors.join() ?? '', /dev-2/);
  });

  it('an image without a creation date is kept with a warning and the job succeeds', async () => {
    const registry = new InMemoryRegistry().push('app', ['dev-1'], {
      digest: 'sha256:1',
      created: null,
    });
    const report = await setup(registry).runJob.execute(job({ saveLast: 0 }), {
      dryRun: false,
      mode: 'manual',
    });
    assert.equal(report.success, true);
    assert.deepEqual(registry.deletedDigests(), []);
    assert.equal(report.repositories[0]?.warnings.length, 1);
  });

  it('one failing repository is recorded and the others go on', async () => {
    const registry = sampleRegistry()
      .push('other', ['dev-1'], { digest: 'sha256:o', created: daysAgo(50, NOW) })
      .failRepository('app', new RegistryError('unavailable', 'connection reset'));
    const report = await setup(registry).runJob.execute(
      job({
        saveLast: 0,
        repositories: [
          { kind: 'literal', name: 'app' },
          { kind: 'literal', name: 'other' },
        ],
      }),
      { dryRun: false, mode: 'manual' },
    );
    assert.equal(report.success, false);
    assert.deepEqual(registry.deletedDigests(), ['other@sha256:o']);
    const app = report.repositories.find((repository) => repository.repository === 'app');
    assert.match(app?.errors[0] ?? '', /connection reset/);
  });

  it('a repository that does not exist is a warning, not a failure', async () => {
    const registry = sampleRegistry();
    const report = await setup(registry).runJob.execute(
      job({ repositories: [{ kind: 'literal', name: 'gone' }] }),
      { dryRun: false, mode: 'manual' },
    );
    assert.equal(report.success, true);
    assert.equal(report.repositories[0]?.warnings.length, 1);
  });

  it('deletion disabled (405) stops deletions in the job and fails it with the message', async () => {
    const registry = sampleRegistry().failDeletes(
      new RegistryError('unsupported', 'deletion is disabled on the registry', 405),
    );
    const report = await setup(registry).runJob.execute(job({ saveLast: 0 }), {
      dryRun: false,
      mode: 'manual',
    });
    assert.equal(report.success, false);
    assert.deepEqual(report.errors, ['deletion is disabled on the registry']);
    assert.ok(registry.deletedDigests().length >= 1);
    assert.ok(
      report.repositories[0]?.deletions.every((d) => d.outcome.status === 'skipped'),
      'no deletion is reported as done',
    );
  });

  it('no deletion starts after the shutdown signal', async () => {
    const registry = sampleRegistry();
    const controller = new AbortController();
    controller.abort();
    const report = await setup(registry).runJob.execute(job({ saveLast: 0 }), {
      dryRun: false,
      mode: 'manual',
      signal: controller.signal,
    });
    assert.deepEqual(registry.deletedDigests(), []);
    assert.equal(report.interrupted, true);
    assert.equal(report.success, false);
  });

  it('r/<regex>/ selectors pick repositories from the catalog, anchored at the start', async () => {
    const registry = new InMemoryRegistry()
      .push('team/app', ['dev-1'], { digest: 'sha256:a', created: daysAgo(40, NOW) })
      .push('team/api', ['dev-1'], { digest: 'sha256:b', created: daysAgo(40, NOW) })
      .push('other/team/app', ['dev-1'], { digest: 'sha256:c', created: daysAgo(40, NOW) });
    const report = await setup(registry).runJob.execute(
      job({
        saveLast: 0,
        repositories: [{ kind: 'pattern', pattern: compilePattern('team/') }],
      }),
      { dryRun: false, mode: 'manual', catalog: await registry.listRepositories() },
    );
    assert.deepEqual(report.repositories.map((r) => r.repository).sort(), ['team/api', 'team/app']);
    assert.deepEqual(registry.tagsOf('other/team/app'), ['dev-1']);
  });

  it('logs the registry standing warnings at the start of every run', async () => {
    const registry = sampleRegistry().withStandingWarning('TLS verification is disabled');
    const { runJob, logger } = setup(registry);
    await runJob.execute(job(), { dryRun: true, mode: 'watch' });
    await runJob.execute(job(), { dryRun: true, mode: 'watch' });
    const warnings = logger.entries.filter((entry) => entry.level === 'warn');
    assert.deepEqual(
      warnings.map((entry) => entry.message),
      ['TLS verification is disabled', 'TLS verification is disabled'],
    );
  });
});

describe('RunJob fails fast and warns', () => {
  it('refused credentials end the job after the first repository: the others are never listed', async () => {
    const registry = sampleRegistry()
      .push('b', ['dev-1'], { digest: 'sha256:b', created: daysAgo(50, NOW) })
      .push('c', ['dev-1'], { digest: 'sha256:c', created: daysAgo(50, NOW) })
      .failRepository(
        'app',
        new RegistryError('auth', 'the registry refused the credentials for user "ci" (401)', 401),
      );
    const report = await setup(registry).runJob.execute(
      job({
        repositories: ['app', 'b', 'c'].map((name) => ({ kind: 'literal' as const, name })),
      }),
      { dryRun: false, mode: 'manual' },
    );
    assert.equal(report.success, false);
    assert.deepEqual(report.errors, ['the registry refused the credentials for user "ci" (401)']);
    const listed = registry.calls.filter((call) => call.method === 'listTags');
    assert.deepEqual(
      listed.map((call) => call.repository),
      ['app'],
    );
    assert.deepEqual(registry.deletedDigests(), []);
  });

  it('a forbidden repository does not stop the others', async () => {
    const registry = sampleRegistry()
      .push('b', ['dev-1'], { digest: 'sha256:b', created: daysAgo(50, NOW) })
      .failRepository('app', new RegistryError('forbidden', 'no access to app', 403));
    const report = await setup(registry).runJob.execute(
      job({
        saveLast: 0,
        repositories: ['app', 'b'].map((name) => ({ kind: 'literal' as const, name })),
      }),
      { dryRun: false, mode: 'manual' },
    );
    assert.deepEqual(registry.deletedDigests(), ['b@sha256:b']);
    assert.equal(report.success, false);
  });

  it('names tags with a reproducible-build date (before 2000) in a warning, and still applies the rules', async () => {
    const registry = new InMemoryRegistry()
      .push('app', ['dev-1'], { digest: 'sha256:1', created: new Date('1980-01-01T00:00:01Z') })
      .push('app', ['dev-2'], { digest: 'sha256:2', created: new Date('1970-01-01T00:00:00Z') })
      .push('app', ['dev-3'], { digest: 'sha256:3', created: daysAgo(1, NOW) });
    const report = await setup(registry).runJob.execute(job({ saveLast: 0 }), {
      dryRun: true,
      mode: 'manual',
    });
    const warnings = report.repositories[0]?.warnings ?? [];
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0] ?? '',
      /created before 2000: dev-1, dev-2 \(a reproducible-build date/,
    );
    assert.equal(report.totals.deleted, 2);
    assert.equal(report.success, true);
  });
});
