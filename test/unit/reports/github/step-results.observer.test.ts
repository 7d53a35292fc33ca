import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { GitHubActions } from '../../../../src/adapters/reports/github/github-actions.js';
import { gitHubActionsFrom } from '../../../../src/adapters/reports/github/github-actions.js';
import {
  ANNOTATIONS_PER_JOB,
  GitHubStepResults,
} from '../../../../src/adapters/reports/github/step-results.observer.js';
import { reportPaths } from '../../../../src/adapters/reports/report-files.js';
import {
  DEFAULT_REPORTS_SETTINGS,
  type ReportsSettings,
} from '../../../../src/adapters/reports/reports-settings.js';
import type { JobReport, JobTotals } from '../../../../src/domain/job-report.js';
import { aJobReport } from '../../../builders/job-reports.js';
import { RecordingLogger } from '../../../fakes/recording-logger.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function outputFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reg-cleaner-github-'));
  dirs.push(dir);
  const file = join(dir, 'output');
  // The runner's file may already hold other outputs of the step: they stay.
  writeFileSync(file, 'earlier=1\n');
  return file;
}

function harness(github: GitHubActions, reports: ReportsSettings | undefined) {
  const stdout: string[] = [];
  const logger = new RecordingLogger();
  const observer = new GitHubStepResults(
    github,
    { write: (text: string) => stdout.push(text) },
    logger,
    reports,
  );
  return { observer, stdout, logger };
}

function withTotals(report: JobReport, totals: Partial<JobTotals>): JobReport {
  return { ...report, totals: { ...report.totals, ...totals } };
}

const REPORTS: ReportsSettings = { ...DEFAULT_REPORTS_SETTINGS, dir: 'reports' };

describe('gitHubActionsFrom', () => {
  it('reads the step files and GITHUB_ACTIONS; empty values count as unset', () => {
    assert.deepEqual(
      gitHubActionsFrom({
        GITHUB_OUTPUT: '/tmp/o',
        GITHUB_STEP_SUMMARY: '',
        GITHUB_ACTIONS: 'true',
      }),
      { outputFile: '/tmp/o', annotations: true },
    );
    assert.deepEqual(gitHubActionsFrom({}), { annotations: false });
  });
});

describe('GitHubStepResults', () => {
  it('appends the counts of every job and each JSON report path, once, at the end', async () => {
    const file = outputFile();
    const { observer, stdout } = harness({ outputFile: file, annotations: false }, REPORTS);
    const dry = withTotals(aJobReport({ jobName: 'dev', dryRun: true }), {
      deleted: 4,
      reclaimableBytes: 1000,
    });
    const real = withTotals(aJobReport({ jobName: 'prod' }), {
      deleted: 2,
      untagged: 3,
      failed: 1,
      reclaimableBytes: 500,
    });
    await observer.jobFinished({ report: dry });
    await observer.jobFinished({ report: real });
    assert.equal(readFileSync(file, 'utf8'), 'earlier=1\n', 'nothing before the end');
    await observer.writeStepOutputs();
    const text = readFileSync(file, 'utf8');
    const paths = [dry, real].map(
      (report) => reportPaths(report.jobName, report.startedAt, report.dryRun, 'reports').json,
    );
    assert.match(
      text,
      /^earlier=1\ndeleted=2\nwould_delete=4\nuntagged=3\nfailed=1\nreclaimable_bytes=1500\nreport<<(ghadelimiter_\S+)\n/,
    );
    assert.ok(text.endsWith(`\n${paths.join('\n')}\n${/<<(\S+)/.exec(text)?.[1] ?? ''}\n`));
    assert.deepEqual(stdout, [], 'no annotations outside GitHub Actions');
  });

  it('writes an empty report output when no JSON report is written', async () => {
    const file = outputFile();
    const { observer } = harness({ outputFile: file, annotations: false }, undefined);
    await observer.jobFinished({ report: aJobReport({ jobName: 'dev' }) });
    await observer.writeStepOutputs();
    assert.match(readFileSync(file, 'utf8'), /\nreport=\n$/);
  });

  it('writes nothing when no job finished (a bad config, a signal before the first job)', async () => {
    const file = outputFile();
    const { observer } = harness({ outputFile: file, annotations: true }, REPORTS);
    await observer.writeStepOutputs();
    assert.equal(readFileSync(file, 'utf8'), 'earlier=1\n');
  });

  it('logs a file it cannot write instead of failing the run', async () => {
    const { observer, logger } = harness(
      { outputFile: join(tmpdir(), 'no-such-folder-reg-cleaner', 'output'), annotations: false },
      REPORTS,
    );
    await observer.jobFinished({ report: aJobReport() });
    await observer.writeStepOutputs();
    assert.ok(logger.entries.some((entry) => entry.message.includes('step outputs')));
  });

  it('prints failures as ::error:: and warnings as ::warning::, redacted and capped', async () => {
    const { observer, stdout } = harness({ annotations: true }, REPORTS);
    const warnings = Array.from({ length: ANNOTATIONS_PER_JOB + 3 }, (_, i) => `warning ${i}`);
    const report = withTotals(
      aJobReport({
        jobName: 'prod',
        errors: ['login refused: Authorization: Bearer abc.def.ghi'],
        warnings,
        success: false,
      }),
      { failed: 2 },
    );
    await observer.jobFinished({ report });
    const lines = stdout.join('').split('\n').filter(Boolean);
    const errors = lines.filter((line) =>
      line.startsWith('::error title=reg-cleaner%3A job prod::'),
    );
    assert.equal(errors.length, 2);
    assert.ok(errors[0]?.includes('login refused'));
    assert.ok(!stdout.join('').includes('abc.def.ghi'), 'the token is masked');
    assert.ok(errors[1]?.endsWith('2 tags could not be deleted (see the report)'));
    const warned = lines.filter((line) => line.startsWith('::warning '));
    assert.equal(warned.length, ANNOTATIONS_PER_JOB + 1);
    assert.ok(warned.at(-1)?.endsWith('3 more warnings: see the report'));
  });

  it('names the shard in the title of a sharded run', async () => {
    const { observer, stdout } = harness({ annotations: true }, REPORTS);
    const report = aJobReport({ jobName: 'prod', warnings: ['w'] });
    await observer.jobFinished({ report: { ...report, shard: { index: 1, count: 3 } } });
    assert.deepEqual(stdout, ['::warning title=reg-cleaner%3A job prod (shard 1/3)::w\n']);
  });
});
