import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from 'inversify';
import {
  ConsoleTableObserver,
  formatDuration,
  renderRepository,
  renderSummary,
  ReportStream,
  type TextSink,
} from '../../../src/adapters/reports/console-table.observer.js';
import { ConsoleTurns } from '../../../src/adapters/reports/console-turns.js';
import { RunObserver } from '../../../src/application/ports/run-observer.port.js';
import type { TagDecision } from '../../../src/domain/decision.js';
import { compilePattern } from '../../../src/domain/job.js';
import {
  summarise,
  type DeletionOutcome,
  type RepositoryReport,
} from '../../../src/domain/job-report.js';
import { aJobReport, type JobReportShape } from '../../builders/job-reports.js';

class StringSink implements TextSink {
  text = '';
  write(text: string): void {
    this.text += text;
  }
}

const STARTED = new Date('2024-05-10T12:00:00Z');

function decision(
  tag: string,
  action: 'keep' | 'delete',
  reason: TagDecision['reason'],
  detail: string,
): TagDecision {
  return {
    repository: 'team/app',
    tag,
    digest: `sha256:${tag}`,
    created: new Date(`2024-04-0${tag.length % 9}T08:30:00Z`),
    action,
    reason,
    detail,
  };
}

function repository(
  outcome: DeletionOutcome,
  extra: Partial<RepositoryReport> = {},
): RepositoryReport {
  return {
    repository: 'team/app',
    decisions: [
      decision('dev-1', 'delete', 'old', 'created 40 days ago; beyond the 1 newest'),
      decision('dev-22', 'keep', 'save-last', 'one of the 1 newest old tags'),
      {
        ...decision('latest', 'keep', 'unresolved', 'image has no created date'),
        created: undefined,
      },
    ],
    deletions: [{ repository: 'team/app', digest: 'sha256:dev-1', tags: ['dev-1'], outcome }],
    errors: [],
    warnings: [],
    ...extra,
  };
}

interface Run {
  readonly dryRun: boolean;
  readonly shape?: JobReportShape;
  readonly repositories: readonly RepositoryReport[];
}

function run(dryRun: boolean, outcome: DeletionOutcome, shape: JobReportShape = {}): Run {
  return { dryRun, shape, repositories: [repository(outcome)] };
}

/** What the observer prints for a whole run: start line, repository blocks, summary. */
async function render({ dryRun, shape = {}, repositories }: Run): Promise<string> {
  const sink = new StringSink();
  const observer = new ConsoleTableObserver(sink);
  const job = {
    name: 'clean-dev',
    repositories: [],
    tagPatterns: [compilePattern('dev-')],
    saveLast: 1,
    olderThanDays: 5,
    cleanEveryHours: 0,
  };
  await observer.jobStarted({
    job,
    mode: 'manual',
    dryRun,
    startedAt: STARTED,
    repositories: repositories.length,
  });
  let finished = 0;
  for (const report of repositories) {
    finished += 1;
    const summary = summarise(report, dryRun);
    await observer.repositoryFinished({ jobName: 'clean-dev', dryRun, report, summary, finished });
  }
  const finishedAt = new Date(STARTED.getTime() + 3_250);
  await observer.jobFinished({
    report: aJobReport({ startedAt: STARTED, finishedAt, dryRun, ...shape }, repositories),
  });
  return sink.text;
}

describe('ConsoleTableObserver', () => {
  it('a dry run says WOULD DELETE, shows every tag with created date and reason, and no GC reminder', async () => {
    const text = await render(run(true, { status: 'skipped', why: 'dry run' }));
    const lines = text.split('\n');
    assert.equal(
      lines[1],
      '== clean-dev: started (dry run: nothing will be deleted), 1 repository',
    );
    assert.equal(lines[2], '-- clean-dev: team/app');
    assert.match(lines[3] ?? '', /^REPOSITORY\s+TAG\s+CREATED\s+DECISION\s+REASON\s+DETAIL$/);
    assert.ok(lines.includes('== clean-dev (dry run): finished'));
    assert.match(
      text,
      /team\/app\s+dev-1\s+2024-04-05T08:30:00Z\s+WOULD DELETE\s+old\s+created 40 days ago; beyond the 1 newest\n/,
    );
    assert.match(
      text,
      /team\/app\s+dev-22\s+2024-04-06T08:30:00Z\s+KEEP\s+save-last\s+one of the 1 newest old tags\n/,
    );
    assert.match(text, /team\/app\s+latest\s+-\s+KEEP\s+unresolved\s+image has no created date\n/);
    assert.match(
      text,
      /clean-dev: repositories 1, examined 3, kept 2, would delete 1, failed 0, in 3\.3s/,
    );
    assert.ok(!text.includes('garbage-collect'));
  });

  it('a real run that deleted says DELETED and reminds about garbage collection', async () => {
    const text = await render(run(false, { status: 'deleted' }));
    assert.match(text, /dev-1\s+2024-04-05T08:30:00Z\s+DELETED\s+old/);
    assert.match(text, /clean-dev: repositories 1, examined 3, kept 2, deleted 1, failed 0/);
    assert.match(text, /docker-registry garbage-collect/);
  });

  it('the summary line gives the space the garbage collector can free, when something goes', () => {
    const report = aJobReport({ dryRun: true }, [
      repository({ status: 'skipped', why: 'dry run' }),
    ]);
    const freeing = { ...report, totals: { ...report.totals, reclaimableBytes: 1_052_812 } };
    assert.match(
      renderSummary(freeing),
      /would delete 1 \(1\.1 MB for the garbage collector\), failed 0/,
    );
    const nothing = { ...freeing, totals: { ...freeing.totals, deleted: 0 } };
    assert.ok(!renderSummary(nothing).includes('garbage collector'));
  });

  it('a repository whose tags match no pattern says so instead of "no tags examined"', () => {
    const quiet = { ...repository({ status: 'deleted' }), decisions: [], deletions: [] };
    assert.match(
      renderRepository('clean-dev', { ...quiet, unmatchedTags: 6 }, true),
      /\(none of its 6 tags matches the job's tag patterns\)/,
    );
    assert.match(renderRepository('clean-dev', quiet, true), /\(no tags examined\)/);
  });

  it('no GC reminder when nothing was actually deleted', async () => {
    assert.ok(!(await render(run(false, { status: 'already-gone' }))).includes('garbage-collect'));
    const failed = await render(run(false, { status: 'failed', problem: 'HTTP 500' }));
    assert.ok(!failed.includes('garbage-collect'));
  });

  it('shows failed deletions, job errors and warnings, redacted, and a FAILED status', async () => {
    const text = await render({
      dryRun: false,
      shape: { errors: ['authentication refused with Authorization: Bearer abcdefghijklmnop'] },
      repositories: [
        repository(
          { status: 'failed', problem: 'HTTP 500 from registry' },
          {
            errors: ['tags list failed'],
            warnings: ['image latest has no created date'],
          },
        ),
      ],
    });
    assert.match(text, /^== clean-dev: FAILED/m);
    assert.match(
      text,
      /dev-1\s+\S+\s+DELETE FAILED\s+old\s+created 40 days ago; beyond the 1 newest \(HTTP 500 from registry\)/,
    );
    // One failed deletion, one repository error, one job error.
    assert.match(text, /failed 3/);
    assert.match(text, /error: authentication refused with Authorization: \*\*\*/);
    assert.ok(!text.includes('abcdefghijklmnop'));
    assert.match(text, /error: team\/app: tags list failed/);
    assert.match(text, /warning: team\/app: image latest has no created date/);
  });

  it('says when a run was interrupted, and when no tag was examined', async () => {
    const text = await render({
      dryRun: false,
      shape: { interrupted: true },
      repositories: [{ ...repository({ status: 'deleted' }), decisions: [], deletions: [] }],
    });
    assert.match(text, /^== clean-dev: interrupted/m);
    assert.match(text, /\(no tags examined\)/);
    assert.match(text, /stopped by a signal/);
  });

  it('prints each repository as soon as it finishes, before the job ends', async () => {
    const sink = new StringSink();
    const observer = new ConsoleTableObserver(sink);
    const report = repository({ status: 'skipped', why: 'dry run' });
    await observer.repositoryFinished({
      jobName: 'clean-dev',
      dryRun: true,
      report,
      summary: summarise(report, true),
      finished: 1,
    });
    assert.match(sink.text, /^-- clean-dev: team\/app\n/);
    assert.match(sink.text, /dev-1\s+\S+\s+WOULD DELETE/);
  });

  it('is built by inversify with the injected stream', async () => {
    const sink = new StringSink();
    const container = new Container();
    container.bind(ReportStream).toConstantValue(sink);
    container.bind<RunObserver>(RunObserver).to(ConsoleTableObserver).inSingletonScope();
    const [observer] = container.getAll<RunObserver>(RunObserver);
    await observer?.repositoryFinished({
      jobName: 'x',
      dryRun: false,
      report: repository({ status: 'deleted' }),
      summary: summarise(repository({ status: 'deleted' }), false),
      finished: 1,
    });
    assert.match(sink.text, /-- x: team\/app/);
  });

  it('formats durations', () => {
    assert.equal(formatDuration(400), '0.4s');
    assert.equal(formatDuration(59_949), '59.9s');
    assert.equal(formatDuration(125_000), '2m 05s');
  });
});

describe('ConsoleTableObserver: concurrent jobs take turns (issue 27 item 7)', () => {
  const job = (name: string) => ({
    name,
    repositories: [],
    tagPatterns: [compilePattern('dev-')],
    saveLast: 1,
    olderThanDays: 1,
    cleanEveryHours: 0,
  });
  const started = (name: string) => ({
    job: job(name),
    mode: 'manual' as const,
    dryRun: false,
    startedAt: STARTED,
    repositories: 2,
  });
  const finished = (jobName: string, name: string) => {
    const report = { ...repository({ status: 'deleted' }), repository: name };
    return { jobName, dryRun: false, report, summary: summarise(report, false), finished: 1 };
  };

  /** The job each line belongs to, by the heading or summary it falls under. */
  function owners(text: string): string[] {
    const runs: string[] = [];
    let current = '';
    for (const line of text.split('\n')) {
      const named = /^(?:== |-- )?(job-[ab])\b/.exec(line)?.[1];
      if (named !== undefined) current = named;
      if (line !== '' && runs[runs.length - 1] !== current) runs.push(current);
    }
    return runs;
  }

  it('two jobs whose repositories finish alternately print one after the other, each whole', async () => {
    const sink = new StringSink();
    const observer = new ConsoleTableObserver(sink);
    await observer.jobStarted(started('job-a'));
    await observer.jobStarted(started('job-b'));
    await observer.repositoryFinished(finished('job-b', 'team/b1'));
    await observer.repositoryFinished(finished('job-a', 'team/a1'));
    // job-a prints as it goes; job-b waits for its turn.
    assert.ok(sink.text.includes('-- job-a: team/a1'));
    assert.ok(!sink.text.includes('job-b'));
    await observer.repositoryFinished(finished('job-b', 'team/b2'));
    await observer.repositoryFinished(finished('job-a', 'team/a2'));
    await observer.jobFinished({ report: aJobReport({ jobName: 'job-a', success: true }) });
    await observer.jobFinished({ report: aJobReport({ jobName: 'job-b', success: true }) });
    assert.deepEqual(owners(sink.text), ['job-a', 'job-b']);
    for (const name of ['team/a1', 'team/a2', 'team/b1', 'team/b2']) {
      assert.ok(sink.text.includes(`: ${name}\n`), name);
    }
  });

  it('a job that finishes while another prints comes out whole after it; a third goes on live', async () => {
    const sink = new StringSink();
    const observer = new ConsoleTableObserver(sink);
    await observer.jobStarted(started('job-a'));
    await observer.jobStarted(started('job-b'));
    await observer.repositoryFinished(finished('job-b', 'team/b1'));
    await observer.jobFinished({ report: aJobReport({ jobName: 'job-b', success: true }) });
    assert.ok(!sink.text.includes('job-b'), 'held while job-a prints');
    await observer.jobFinished({ report: aJobReport({ jobName: 'job-a', success: true }) });
    assert.deepEqual(owners(sink.text), ['job-a', 'job-b']);
    // Nobody else prints now: the next job goes straight out.
    await observer.jobStarted(started('job-a'));
    assert.match(sink.text, /\n== job-a: started, 2 repositories\n$/);
  });
});

describe('ConsoleTurns', () => {
  it('a waiting job holds at most its limit: past it, its text goes out at once (bounded memory)', () => {
    const sink = new StringSink();
    const turns = new ConsoleTurns(sink, 10);
    turns.start('a', 'a0\n');
    turns.start('b', 'b0\n');
    turns.write('b', 'b1\n');
    assert.equal(sink.text, 'a0\n');
    turns.write('b', 'b2-long\n');
    assert.equal(sink.text, 'a0\nb0\nb1\nb2-long\n');
    turns.finish('a', 'a-end\n');
    turns.finish('b', 'b-end\n');
    assert.equal(sink.text, 'a0\nb0\nb1\nb2-long\na-end\nb-end\n');
  });
});
