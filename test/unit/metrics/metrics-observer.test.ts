import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CleanerMetrics } from '../../../src/adapters/metrics/cleaner-metrics.js';
import { MetricsObserver } from '../../../src/adapters/metrics/metrics.observer.js';
import { RequestStats } from '../../../src/adapters/shared/http/request-stats.js';
import type { RepositorySummary } from '../../../src/domain/job-report.js';
import { aJob } from '../../builders/jobs.js';
import { aJobReport } from '../../builders/job-reports.js';

const STARTED = new Date('2026-06-01T00:00:00Z');
const FINISHED = new Date('2026-06-01T00:02:30Z');

function summary(repository: string, examined: number, deleted: number): RepositorySummary {
  return {
    repository,
    examined,
    unmatched: 0,
    kept: examined - deleted,
    deleted,
    untagged: 0,
    failed: 0,
    reclaimableBytes: 0,
    errors: [],
    warnings: [],
  };
}

/** The value of one sample line of the exposition, or undefined. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('MetricsObserver', () => {
  it('counts tags as repositories finish and records the run when it ends', async () => {
    const metrics = new CleanerMetrics();
    const observer = new MetricsObserver(metrics, new RequestStats());
    const job = aJob({ name: 'clean-dev' });
    await observer.jobStarted({
      job,
      mode: 'watch',
      dryRun: false,
      startedAt: STARTED,
      repositories: 2,
    });
    let text = await metrics.text();
    assert.equal(value(text, 'reg_cleaner_job_running{job="clean-dev"}'), 1);
    const report = {
      repository: 'team/app',
      decisions: [],
      deletions: [],
      errors: [],
      warnings: [],
    };
    await observer.repositoryFinished({
      jobName: 'clean-dev',
      dryRun: false,
      report,
      summary: summary('team/app', 10, 4),
      finished: 1,
    });
    text = await metrics.text();
    assert.equal(
      value(text, 'reg_cleaner_tags_deleted_total{job="clean-dev",dry_run="false"}'),
      4,
      'live',
    );
    await observer.repositoryFinished({
      jobName: 'clean-dev',
      dryRun: false,
      report: { ...report, repository: 'team/api' },
      summary: summary('team/api', 5, 1),
      finished: 2,
    });
    const final = {
      ...aJobReport({ jobName: 'clean-dev', startedAt: STARTED, finishedAt: FINISHED }),
    };
    await observer.jobFinished({
      report: { ...final, totals: { ...final.totals, reclaimableBytes: 123_456 } },
    });
    text = await metrics.text();
    const series = (name: string, labels = 'job="clean-dev"'): number | undefined =>
      value(text, `${name}{${labels}}`);
    assert.equal(series('reg_cleaner_tags_examined_total', 'job="clean-dev",dry_run="false"'), 15);
    assert.equal(series('reg_cleaner_tags_deleted_total', 'job="clean-dev",dry_run="false"'), 5);
    assert.equal(
      series('reg_cleaner_job_runs_total', 'job="clean-dev",dry_run="false",result="success"'),
      1,
    );
    assert.equal(series('reg_cleaner_job_running'), 0);
    assert.equal(series('reg_cleaner_job_last_run_timestamp_seconds'), FINISHED.getTime() / 1000);
    assert.equal(
      series('reg_cleaner_job_last_success_timestamp_seconds'),
      FINISHED.getTime() / 1000,
    );
    assert.equal(series('reg_cleaner_job_duration_seconds_sum'), 150);
    assert.equal(series('reg_cleaner_job_duration_seconds_bucket', 'le="120",job="clean-dev"'), 0);
    assert.equal(series('reg_cleaner_job_duration_seconds_bucket', 'le="300",job="clean-dev"'), 1);
    assert.equal(series('reg_cleaner_reclaimable_bytes'), 123_456);
  });

  it('counts the warnings of each run by job, and shows the series at 0 for a run without', async () => {
    const metrics = new CleanerMetrics();
    const observer = new MetricsObserver(metrics, new RequestStats());
    const repository = {
      repository: 'team9/does-not-exist',
      decisions: [],
      deletions: [],
      errors: [],
      warnings: ['repository not found: 404'],
    };
    const warned = aJobReport({ jobName: 'typo', warnings: ['r/x/ matches nothing'] }, [
      repository,
    ]);
    await observer.jobFinished({ report: warned });
    await observer.jobFinished({ report: warned });
    await observer.jobFinished({ report: aJobReport({ jobName: 'clean' }) });
    const text = await metrics.text();
    assert.equal(value(text, 'reg_cleaner_job_warnings_total{job="typo"}'), 4);
    assert.equal(value(text, 'reg_cleaner_job_warnings_total{job="clean"}'), 0);
  });

  it('a failed or interrupted run counts by its result and leaves the last success alone', async () => {
    const metrics = new CleanerMetrics();
    const observer = new MetricsObserver(metrics, new RequestStats());
    await observer.jobFinished({
      report: aJobReport({ jobName: 'a', success: false, finishedAt: FINISHED }),
    });
    await observer.jobFinished({
      report: aJobReport({ jobName: 'a', dryRun: true, interrupted: true, finishedAt: FINISHED }),
    });
    const text = await metrics.text();
    assert.equal(
      value(text, 'reg_cleaner_job_runs_total{job="a",dry_run="false",result="failed"}'),
      1,
    );
    assert.equal(
      value(text, 'reg_cleaner_job_runs_total{job="a",dry_run="true",result="interrupted"}'),
      1,
    );
    assert.equal(
      value(text, 'reg_cleaner_job_last_run_timestamp_seconds{job="a"}'),
      FINISHED.getTime() / 1000,
    );
    assert.doesNotMatch(text, /last_success_timestamp_seconds\{job="a"\}/);
  });

  it('counts every request outcome by method and status, and times it by method', async () => {
    const metrics = new CleanerMetrics();
    const stats = new RequestStats();
    new MetricsObserver(metrics, stats);
    stats.recordOutcome({
      kind: 'manifest-get',
      method: 'GET',
      status: '200',
      durationSeconds: 0.02,
    });
    stats.recordOutcome({
      kind: 'manifest-get',
      method: 'GET',
      status: '200',
      durationSeconds: 0.3,
    });
    stats.recordOutcome({
      kind: 'delete',
      method: 'DELETE',
      status: 'DEADLINE',
      durationSeconds: 20,
    });
    const text = await metrics.text();
    assert.equal(value(text, 'reg_cleaner_registry_requests_total{method="GET",status="200"}'), 2);
    assert.equal(
      value(text, 'reg_cleaner_registry_requests_total{method="DELETE",status="DEADLINE"}'),
      1,
    );
    assert.equal(
      value(text, 'reg_cleaner_registry_request_duration_seconds_count{method="GET"}'),
      2,
    );
    assert.equal(
      value(text, 'reg_cleaner_registry_request_duration_seconds_bucket{le="0.025",method="GET"}'),
      1,
    );
    // No tag or repository ever becomes a label.
    assert.doesNotMatch(text, /repository=|tag=/);
  });
});
