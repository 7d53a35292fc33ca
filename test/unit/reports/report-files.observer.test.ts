import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ReportFilesObserver } from '../../../src/adapters/reports/report-files.observer.js';
import { reportPaths } from '../../../src/adapters/reports/report-files.js';
import {
  DEFAULT_REPORTS_SETTINGS,
  type ReportsSettings,
} from '../../../src/adapters/reports/reports-settings.js';
import { JobReportBuilder } from '../../../src/domain/job-report-builder.js';
import type { JobReport, RepositoryReport } from '../../../src/domain/job-report.js';
import type { Job } from '../../../src/domain/job.js';
import { aDecision, aJob, fakeDigest } from '../../builders/index.js';
import { FixedClock } from '../../fakes/fixed-clock.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { assertValidReport, readValidReport } from '../../support/report-schema.js';

const START = new Date('2026-06-01T07:08:09.456Z');
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reg-cleaner-reports-'));
  dirs.push(dir);
  return dir;
}

interface Harness {
  readonly observer: ReportFilesObserver;
  readonly console: string[];
  readonly logger: RecordingLogger;
  readonly clock: FixedClock;
  readonly settings: ReportsSettings;
}

function harness(settings: Partial<ReportsSettings> = {}): Harness {
  const full = { ...DEFAULT_REPORTS_SETTINGS, dir: freshDir(), ...settings };
  const console: string[] = [];
  const logger = new RecordingLogger();
  const clock = new FixedClock(START);
  const observer = new ReportFilesObserver(
    full,
    { url: 'https://registry.example.com' },
    clock,
    logger,
    { write: (text: string) => console.push(text) },
  );
  return { observer, console, logger, clock, settings: full };
}

const HOSTILE = '<script>alert("x")</script> | `code` [link](https://evil.example)';

/** team/app: v1 deleted (old), v2 kept (recent), latest matches no pattern. */
function appRepository(outcome: 'deleted' | 'skipped' | 'failed'): RepositoryReport {
  const v1 = fakeDigest('v1');
  return {
    repository: 'team/app',
    decisions: [
      aDecision('v1', 'delete', {
        digest: v1,
        created: new Date('2026-01-01T00:00:00Z'),
        detail: `old ${HOSTILE}`,
        footprint: { digest: v1, bytes: 500, blobs: [{ digest: fakeDigest('layer'), size: 1500 }] },
      }),
      aDecision('v2', 'keep', { created: new Date('2026-05-30T00:00:00Z') }),
    ],
    unmatchedTags: 1,
    unmatched: [{ repository: 'team/app', tag: 'latest', digest: undefined }],
    deletions: [
      {
        repository: 'team/app',
        digest: v1,
        tags: ['v1'],
        outcome:
          outcome === 'skipped'
            ? { status: 'skipped', why: 'dry run' }
            : outcome === 'failed'
              ? {
                  status: 'failed',
                  problem: `DELETE https://user:hunter2@registry.example.com failed ${HOSTILE}`,
                }
              : { status: 'deleted' },
      },
    ],
    errors: [],
    warnings: [`tag undated: ${HOSTILE}`],
  };
}

function webRepository(): RepositoryReport {
  return {
    repository: 'team/web',
    decisions: [aDecision('w1', 'keep'), aDecision('w2', 'keep')],
    deletions: [],
    errors: ['tag w3: GET failed after 4 retries'],
    warnings: [],
  };
}

/** Feeds one run through the observer as RunJobs and RunJob would; returns the JobReport. */
async function run(
  h: Harness,
  job: Job,
  options: {
    dryRun: boolean;
    startedAt?: Date;
    repositories: readonly RepositoryReport[];
    afterStart?: () => Promise<void>;
    afterEach?: (index: number) => Promise<void>;
    interrupted?: boolean;
  },
): Promise<JobReport> {
  const startedAt = options.startedAt ?? START;
  await h.observer.jobStarted({
    job,
    mode: 'manual',
    dryRun: options.dryRun,
    startedAt,
    repositories: options.repositories.length,
  });
  await options.afterStart?.();
  const builder = new JobReportBuilder({
    jobName: job.name,
    mode: 'manual',
    dryRun: options.dryRun,
    startedAt,
  });
  let finished = 0;
  for (const report of options.repositories) {
    const summary = builder.add(report);
    finished += 1;
    await h.observer.repositoryFinished({
      jobName: job.name,
      dryRun: options.dryRun,
      report,
      summary,
      finished,
    });
    await options.afterEach?.(finished);
  }
  const report = builder.finish({
    finishedAt: new Date(startedAt.getTime() + 2_000),
    errors: [],
    interrupted: options.interrupted ?? false,
  });
  await h.observer.jobFinished({ report });
  return report;
}

const JOB = aJob({ name: 'clean-dev', tagPatterns: ['v', 'w'], description: `the <b>dev</b> job` });

describe('ReportFilesObserver: the report files of a run', () => {
  it('writes JSON, HTML and Markdown, latest.* identical to the run files, and names them on the console', async () => {
    const h = harness({ formats: ['json', 'html', 'md'] });
    const report = await run(h, JOB, {
      dryRun: false,
      repositories: [appRepository('deleted'), webRepository()],
    });
    const paths = reportPaths('clean-dev', START, false, h.settings.dir);
    assert.match(paths.json, /clean-dev\/20260601T070809Z-real\.json$/);
    const json = await readValidReport(paths.json);
    assert.equal(json.status, 'failed'); // team/web had a request failure
    assert.deepEqual(json.summary, {
      repositories: 2,
      examined: 4,
      unmatched: 1,
      kept: 3,
      deleted: 1,
      untagged: 0,
      failed: 1,
      reclaimableBytes: 2000,
    });
    assert.equal(json.summary.reclaimableBytes, report.totals.reclaimableBytes);
    const app = json.repositories[0];
    assert.ok(app !== undefined);
    assert.deepEqual(
      app.tags.map((tag) => `${tag.tag} ${tag.action} ${tag.reason} ${String(tag.outcome)}`),
      ['latest keep no-match null', 'v1 delete old deleted', 'v2 keep recent null'],
    );
    assert.equal(app.tags[0]?.digest, null);
    for (const format of ['json', 'html', 'md'] as const) {
      const latest = join(h.settings.dir, 'clean-dev', `latest.${format}`);
      assert.equal(await readFile(latest, 'utf8'), await readFile(paths[format], 'utf8'), format);
    }
    assert.deepEqual(h.console, [`clean-dev: report ${paths.json}, ${paths.html}, ${paths.md}\n`]);
    // Nothing else in the folder: no temp file left behind.
    assert.deepEqual((await readdir(join(h.settings.dir, 'clean-dev'))).sort(), [
      '20260601T070809Z-real.html',
      '20260601T070809Z-real.json',
      '20260601T070809Z-real.md',
      'latest.html',
      'latest.json',
      'latest.md',
    ]);
  });

  it('escapes every string from the registry or the config, and never writes a credential', async () => {
    const h = harness({ formats: ['json', 'html', 'md'] });
    await run(h, JOB, { dryRun: false, repositories: [appRepository('failed')] });
    const paths = reportPaths('clean-dev', START, false, h.settings.dir);
    const html = await readFile(paths.html, 'utf8');
    const md = await readFile(paths.md, 'utf8');
    const json = await readFile(paths.json, 'utf8');
    assert.doesNotMatch(html, /<script>alert/);
    assert.doesNotMatch(html, /<b>dev<\/b>/);
    assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
    assert.match(html, /the &lt;b&gt;dev&lt;\/b&gt; job/);
    // Dates in minutes, UTC, with the exact instant in the attribute.
    assert.match(html, /<time datetime="2026-01-01T00:00:00.000Z">2026-01-01 00:00 UTC<\/time>/);
    assert.match(html, /<time datetime="2026-05-30T00:00:00.000Z">2026-05-30 00:00 UTC<\/time>/);
    // One script only, ours, and no URL the browser could fetch.
    assert.equal(html.match(/<script>/g)?.length, 1);
    assert.doesNotMatch(html, /(src|href)="(?!#|data:)/);
    assert.doesNotMatch(md, /<script>|\[link\]\(https/);
    assert.match(md, /&lt;script&gt;/);
    for (const text of [html, md, json]) assert.doesNotMatch(text, /hunter2/);
    assert.match(md, /### Failures \(1\)/);
    assert.match(md, /`team\/app:v1`: deletion failed/);
  });

  it('the JSON on disk is a valid report after every repository, marked interrupted until the end', async () => {
    const h = harness({ formats: ['json'] });
    const path = reportPaths('clean-dev', START, true, h.settings.dir).json;
    const seen: string[] = [];
    await run(h, JOB, {
      dryRun: true,
      repositories: [appRepository('skipped'), webRepository()],
      afterStart: async () => {
        const empty = await readValidReport(path);
        seen.push(`0 ${empty.status} ${String(empty.repositories.length)}`);
      },
      afterEach: async (index) => {
        const partial = await readValidReport(path);
        seen.push(
          `${String(index)} ${partial.status} ${String(partial.repositories.length)} ${String(partial.summary.examined)}`,
        );
        h.clock.advanceHours(1);
      },
    });
    assert.deepEqual(seen, ['0 interrupted 0', '1 interrupted 1 2', '2 interrupted 2 4']);
    const done = await readValidReport(path);
    assert.equal(done.status, 'failed');
    assert.equal(done.summary.deleted, 1); // would delete
    assert.equal(done.repositories[0]?.tags[1]?.outcome, 'skipped');
  });

  it('repositories that finish at the same time are both written, one after the other', async () => {
    const h = harness({ formats: ['json'] });
    await h.observer.jobStarted({
      job: JOB,
      mode: 'manual',
      dryRun: true,
      startedAt: START,
      repositories: 2,
    });
    const builder = new JobReportBuilder({
      jobName: JOB.name,
      mode: 'manual',
      dryRun: true,
      startedAt: START,
    });
    const reports = [appRepository('skipped'), webRepository()];
    await Promise.all(
      reports.map((report, index) =>
        h.observer.repositoryFinished({
          jobName: JOB.name,
          dryRun: true,
          report,
          summary: builder.add(report),
          finished: index + 1,
        }),
      ),
    );
    const path = reportPaths('clean-dev', START, true, h.settings.dir).json;
    const partial = await readValidReport(path);
    assert.deepEqual(
      partial.repositories.map((repository) => repository.name),
      ['team/app', 'team/web'],
    );
    assert.equal(partial.summary.repositories, 2);
    await h.observer.jobFinished({
      report: builder.finish({ finishedAt: START, errors: [], interrupted: false }),
    });
    assert.equal((await readValidReport(path)).repositories.length, 2);
  });

  it('an interrupted run says so in every format', async () => {
    const h = harness({ formats: ['json', 'html', 'md'] });
    await run(h, JOB, {
      dryRun: false,
      repositories: [appRepository('deleted')],
      interrupted: true,
    });
    const paths = reportPaths('clean-dev', START, false, h.settings.dir);
    assert.equal((await readValidReport(paths.json)).status, 'interrupted');
    assert.match(await readFile(paths.html, 'utf8'), /data-status="interrupted">Interrupted</);
    assert.match(await readFile(paths.md, 'utf8'), /\*\*Interrupted\*\*/);
  });

  it('keeps the newest keep_last runs of a job and removes the files of older ones', async () => {
    const h = harness({ formats: ['json', 'md'], keepLast: 2 });
    for (const minute of [1, 2, 3]) {
      await run(h, JOB, {
        dryRun: minute === 2,
        startedAt: new Date(`2026-06-01T07:0${String(minute)}:00Z`),
        repositories: [webRepository()],
      });
    }
    assert.deepEqual((await readdir(join(h.settings.dir, 'clean-dev'))).sort(), [
      '20260601T070200Z-dry.json',
      '20260601T070200Z-dry.md',
      '20260601T070300Z-real.json',
      '20260601T070300Z-real.md',
      'latest.json',
      'latest.md',
    ]);
  });

  it('without json among the formats, its source file is not left behind', async () => {
    const h = harness({ formats: ['html'] });
    await run(h, JOB, { dryRun: true, repositories: [appRepository('skipped')] });
    assert.deepEqual((await readdir(join(h.settings.dir, 'clean-dev'))).sort(), [
      '20260601T070809Z-dry.html',
      'latest.html',
    ]);
  });

  it('appends the Markdown to GITHUB_STEP_SUMMARY, within the 1 MiB that a step allows', async () => {
    const summary = join(freshDir(), 'step-summary.md');
    await writeFile(summary, '# before\n');
    const h = harness({ formats: ['md'], stepSummaryFile: summary });
    await run(h, JOB, { dryRun: false, repositories: [appRepository('deleted')] });
    const text = await readFile(summary, 'utf8');
    assert.match(text, /^# before\n## reg-cleaner: clean-dev: success/);
    assert.match(text, /`team\/app:v1`/);

    // Nearly full: a long run is cut with "and N more", and the file stays under 1 MiB.
    const full = join(freshDir(), 'step-summary.md');
    await writeFile(full, 'x'.repeat(1024 * 1024 - 20_000));
    const big = harness({ formats: ['md'], stepSummaryFile: full });
    const many: RepositoryReport = {
      repository: 'team/many',
      decisions: Array.from({ length: 1500 }, (_, n) =>
        aDecision(`tag-with-a-long-name-${String(n)}`, 'delete', {
          digest: fakeDigest(`many-${String(n)}`),
        }),
      ),
      deletions: Array.from({ length: 1500 }, (_, n) => ({
        repository: 'team/many',
        digest: fakeDigest(`many-${String(n)}`),
        tags: [`tag-with-a-long-name-${String(n)}`],
        outcome: { status: 'deleted' as const },
      })),
      errors: [],
      warnings: [],
    };
    await run(big, JOB, { dryRun: false, repositories: [many] });
    assert.ok((await stat(full)).size <= 1024 * 1024, String((await stat(full)).size));
    assert.match(await readFile(full, 'utf8'), /… and [\d,]+ more tags \(see the JSON report\)/);
    // The report file itself lists them all (it has the full MiB).
    const md = await readFile(reportPaths('clean-dev', START, false, big.settings.dir).md, 'utf8');
    assert.match(md, /tag-with-a-long-name-1499/);
  });

  it('a job that could not start still gets a valid report with its error', async () => {
    const h = harness({ formats: ['json'] });
    await h.observer.jobStarted({
      job: JOB,
      mode: 'watch',
      dryRun: false,
      startedAt: START,
      repositories: 0,
    });
    const report = new JobReportBuilder({
      jobName: 'clean-dev',
      mode: 'watch',
      dryRun: false,
      startedAt: START,
    }).finish({
      finishedAt: START,
      errors: ['reading the registry catalog failed: 401'],
      interrupted: false,
    });
    await h.observer.jobFinished({ report });
    const json = await readValidReport(reportPaths('clean-dev', START, false, h.settings.dir).json);
    assert.equal(json.status, 'failed');
    assert.deepEqual(json.errors, ['reading the registry catalog failed: 401']);
    assertValidReport(json);
  });

  it('sorts repositories and tags by name in every format, whatever order they finished in; rules and Undo in each', async () => {
    const h = harness({ formats: ['json', 'html', 'md'] });
    const named = (name: string, tags: readonly string[]): RepositoryReport => ({
      ...webRepository(),
      repository: name,
      errors: [],
      decisions: tags.map((tag) => aDecision(tag, 'delete', { repository: name })),
      deletions: tags.map((tag) => ({
        repository: name,
        digest: fakeDigest(`${name}:${tag}`),
        tags: [tag],
        outcome: { status: 'deleted' as const },
      })),
    });
    // Finished in the order a concurrent run happens to give: not by name.
    const finished = [
      named('team/web', ['w10', 'w9']),
      named('team/api', ['v2', 'v1']),
      named('team/app', ['v1']),
    ];
    const journal = 'cache/journal/clean-dev/20260601T070809Z.jsonl';
    await h.observer.jobStarted({
      job: JOB,
      mode: 'manual',
      dryRun: false,
      startedAt: START,
      repositories: finished.length,
    });
    const builder = new JobReportBuilder({
      jobName: JOB.name,
      mode: 'manual',
      dryRun: false,
      startedAt: START,
    });
    for (const [index, report] of finished.entries()) {
      const summary = builder.add(report);
      await h.observer.repositoryFinished({
        jobName: JOB.name,
        dryRun: false,
        report,
        summary,
        finished: index + 1,
      });
    }
    const report = builder.finish({ finishedAt: START, errors: [], interrupted: false });
    await h.observer.jobFinished({ report: { ...report, journal } });
    const paths = reportPaths('clean-dev', START, false, h.settings.dir);
    const json = await readValidReport(paths.json);
    assert.deepEqual(
      json.repositories.map((repository) => repository.name),
      ['team/api', 'team/app', 'team/web'],
    );
    assert.deepEqual(
      json.repositories[2]?.tags.map((tag) => tag.tag),
      ['w10', 'w9'],
    );
    // Still one repository a line, so the file reads back the same way.
    const lines = (await readFile(paths.json, 'utf8')).split('\n');
    assert.equal(lines.length, 6);
    assert.match(lines[1] ?? '', /^\{"name":"team\/api"/);
    assert.match(lines[2] ?? '', /^,\{"name":"team\/app"/);
    const raw = JSON.parse(await readFile(paths.json, 'utf8')) as {
      undo: { command: string } | null;
      rules: { key: string; value: string }[];
    };
    assert.equal(raw.undo?.command, `reg-cleaner --restore-from ${journal}`);
    assert.equal(raw.rules.find((rule) => rule.key === 'tag_regexps')?.value, 'v, w');
    const html = await readFile(paths.html, 'utf8');
    const order = ['team/api', 'team/app', 'team/web'].map((name) =>
      html.indexOf(`> ${name}</h2>`),
    );
    assert.ok(
      order.every((at, index) => at > 0 && at > (order[index - 1] ?? 0)),
      String(order),
    );
    // Sections are rendered as repositories finish: their ids come from the names, and each
    // overview link finds its section; the spool of sections is gone.
    const ids = [...html.matchAll(/<section class="repository" id="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(ids, ['repository-team/api', 'repository-team/app', 'repository-team/web']);
    const links = [...html.matchAll(/<a href="#(repository-[^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(links, ids);
    const folder = join(h.settings.dir, 'clean-dev');
    assert.deepEqual(
      (await readdir(folder)).filter((name) => name.startsWith('.')),
      [],
      'no hidden file left',
    );
    assert.match(html, /<h2>Undo<\/h2>[\s\S]*<pre><code>reg-cleaner --restore-from cache\/journal/);
    assert.match(html, /<dt>Save last<\/dt><dd>5 newest old tags per pattern kept<\/dd>/);
    const md = await readFile(paths.md, 'utf8');
    const deleted = md
      .slice(md.indexOf('### Deleted'))
      .split('\n')
      .filter((line) => line.startsWith('- '));
    assert.deepEqual(
      deleted.map((line) => /`([^`]+)`/.exec(line)?.[1]),
      ['team/api:v1', 'team/api:v2', 'team/app:v1', 'team/web:w10', 'team/web:w9'],
    );
    assert.match(
      md,
      /### Undo\n\n[^\n]*`cache\/journal\/clean-dev\/20260601T070809Z\.jsonl`[\s\S]*```sh\nreg-cleaner --restore-from /,
    );
    assert.match(md, /### Rules\n\n- \*\*Repositories\*\*: team\/app/);
  });

  it('a dry run report says there is nothing to undo', async () => {
    const h = harness({ formats: ['json', 'html', 'md'] });
    await run(h, JOB, { dryRun: true, repositories: [appRepository('skipped')] });
    const paths = reportPaths('clean-dev', START, true, h.settings.dir);
    const raw = JSON.parse(await readFile(paths.json, 'utf8')) as { undo: unknown };
    assert.equal(raw.undo, null);
    assert.match(
      await readFile(paths.html, 'utf8'),
      /A dry run deletes nothing: there is nothing to undo/,
    );
    assert.match(
      await readFile(paths.md, 'utf8'),
      /### Undo\n\nA dry run deletes nothing: there is nothing to undo\./,
    );
  });
});
