import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from 'inversify';
import {
  ConsoleReportWriter,
  formatDuration,
  ReportStream,
  type TextSink,
} from '../../../src/adapters/cli/console-report-writer.js';
import { ReportWriter } from '../../../src/application/ports/report-writer.port.js';
import type { TagDecision } from '../../../src/domain/decision.js';
import type {
  DeletionOutcome,
  JobReport,
  RepositoryReport,
} from '../../../src/domain/job-report.js';

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

function report(
  dryRun: boolean,
  outcome: DeletionOutcome,
  extra: Partial<JobReport> = {},
): JobReport {
  return {
    jobName: 'clean-dev',
    mode: 'manual',
    dryRun,
    startedAt: STARTED,
    finishedAt: new Date(STARTED.getTime() + 3_250),
    success: true,
    errors: [],
    repositories: [repository(outcome)],
    interrupted: false,
    ...extra,
  };
}

function render(jobReport: JobReport): string {
  const sink = new StringSink();
  new ConsoleReportWriter(sink).jobFinished(jobReport);
  return sink.text;
}

describe('ConsoleReportWriter', () => {
  it('a dry run says WOULD DELETE, shows every tag with created date and reason, and no GC reminder', () => {
    const text = render(report(true, { status: 'skipped', why: 'dry run' }));
    const lines = text.split('\n');
    assert.equal(lines[0], '== clean-dev (dry run): finished');
    assert.match(lines[1] ?? '', /^REPOSITORY\s+TAG\s+CREATED\s+DECISION\s+REASON\s+DETAIL$/);
    assert.match(
      text,
      /team\/app\s+dev-1\s+2024-04-05T08:30:00Z\s+WOULD DELETE\s+old\s+created 40 days ago; beyond the 1 newest\n/,
    );
    assert.match(
      text,
      /team\/app\s+dev-22\s+2024-04-06T08:30:00Z\s+KEEP\s+save-last\s+one of the 1 newest old tags\n/,
    );
    assert.match(text, /team\/app\s+latest\s+-\s+KEEP\s+unresolved\s+image has no created date\n/);
    assert.match(text, /clean-dev: examined 3, kept 2, would delete 1, failed 0, in 3\.3s/);
    assert.ok(!text.includes('garbage-collect'));
  });

  it('a real run that deleted says DELETE and reminds about garbage collection', () => {
    const text = render(report(false, { status: 'deleted' }));
    assert.match(text, /dev-1\s+2024-04-05T08:30:00Z\s+DELETE\s+old/);
    assert.match(text, /clean-dev: examined 3, kept 2, deleted 1, failed 0/);
    assert.match(text, /docker-registry garbage-collect/);
  });

  it('no GC reminder when nothing was actually deleted', () => {
    assert.ok(!render(report(false, { status: 'already-gone' })).includes('garbage-collect'));
    assert.ok(
      !render(report(false, { status: 'failed', problem: 'HTTP 500' })).includes('garbage-collect'),
    );
  });

  it('shows failed deletions, job errors and warnings, redacted, and a FAILED status', () => {
    const failed = report(
      false,
      { status: 'failed', problem: 'HTTP 500 from registry' },
      {
        success: false,
        errors: ['authentication refused with Authorization: Bearer abcdefghijklmnop'],
        repositories: [
          repository(
            { status: 'failed', problem: 'HTTP 500 from registry' },
            {
              errors: ['tags list failed'],
              warnings: ['image latest has no created date'],
            },
          ),
        ],
      },
    );
    const text = render(failed);
    assert.match(text, /^== clean-dev: FAILED/);
    assert.match(
      text,
      /dev-1\s+\S+\s+DELETE FAILED\s+old\s+created 40 days ago; beyond the 1 newest \(HTTP 500 from registry\)/,
    );
    assert.match(text, /failed 2/);
    assert.match(text, /error: authentication refused with Authorization: \*\*\*/);
    assert.ok(!text.includes('abcdefghijklmnop'));
    assert.match(text, /error: team\/app: tags list failed/);
    assert.match(text, /warning: team\/app: image latest has no created date/);
  });

  it('says when a run was interrupted, and when no tag was examined', () => {
    const text = render(
      report(
        false,
        { status: 'skipped', why: 'shutdown' },
        { interrupted: true, repositories: [] },
      ),
    );
    assert.match(text, /^== clean-dev: interrupted/);
    assert.match(text, /\(no tags examined\)/);
    assert.match(text, /stopped by a signal/);
  });

  it('announces a job start, and a dry run as such', () => {
    const sink = new StringSink();
    const writer = new ConsoleReportWriter(sink);
    writer.jobStarted('clean-dev', true);
    writer.jobStarted('other', false);
    assert.equal(
      sink.text,
      '\n== clean-dev: started (dry run: nothing will be deleted)\n\n== other: started\n',
    );
  });

  it('is built by inversify with the injected stream', () => {
    const sink = new StringSink();
    const container = new Container();
    container.bind(ReportStream).toConstantValue(sink);
    container.bind<ReportWriter>(ReportWriter).to(ConsoleReportWriter).inSingletonScope();
    container.get<ReportWriter>(ReportWriter).jobStarted('x', false);
    assert.match(sink.text, /== x: started/);
  });

  it('formats durations', () => {
    assert.equal(formatDuration(400), '0.4s');
    assert.equal(formatDuration(59_949), '59.9s');
    assert.equal(formatDuration(125_000), '2m 05s');
  });
});
