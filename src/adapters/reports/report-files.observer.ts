import { mkdir, unlink } from 'node:fs/promises';
import { inject, injectable } from 'inversify';
import { Clock } from '../../application/ports/clock.port.js';
import { Logger } from '../../application/ports/logger.port.js';
import type {
  JobFinishedEvent,
  JobStartedEvent,
  RepositoryFinishedEvent,
  RunObserver,
} from '../../application/ports/run-observer.port.js';
import { compareCodePoints } from '../../domain/code-point-order.js';
import type { Job } from '../../domain/job.js';
import { packageVersion } from '../shared/version.js';
import { writeAtomically, type WriteText } from '../shared/files/atomic-write.js';
import { RegistryAddress } from '../shared/registry-address.js';
import { safeUrl } from '../shared/secrets/safe-url.js';
import { ReportStream, type TextSink } from './console-table.observer.js';
import { htmlReport, type RepositoryLine } from './html-report.js';
import {
  addToSummary,
  EMPTY_SUMMARY,
  provisionalTail,
  reportHead,
  reportRepository,
  reportTail,
  type ReportHead,
  type ReportSummary,
  type ReportTail,
} from './json-report.js';
import { JsonReportFile } from './json-report-file.js';
import { SpoolFile } from './spool-file.js';
import { appendStepSummary } from './github/step-summary.js';
import { MarkdownLists, renderMarkdown, type MarkdownInput } from './markdown-report.js';
import { jobFolder, latestReportPaths, reportPaths, type ReportPaths } from './report-files.js';
import { pruneRuns, replaceWithCopy, tempNameFor } from './reports-folder.js';
import { ReportsSettings, type ReportFormat } from './reports-settings.js';

interface Run {
  readonly job: Job;
  readonly dryRun: boolean;
  readonly paths: ReportPaths;
  /** Where the JSON goes: the report itself, or a hidden source when json is not a format. */
  readonly source: string;
  readonly file: JsonReportFile;
  /** As the JSON's first line holds it (for the HTML and Markdown). */
  readonly head: ReportHead;
  /** The HTML's repository sections, rendered as repositories finish (when html is a format). */
  readonly htmlParts: SpoolFile | undefined;
  /** One per repository, as they finish: the top of the HTML and the Markdown table. */
  readonly lines: RepositoryLine[];
  /** The Markdown's lists, gathered as repositories finish (when md is a format). */
  readonly markdown: MarkdownLists | undefined;
  summary: ReportSummary;
}

/**
 * Writes each run's report files (issue 10): the JSON as repositories finish (valid at every
 * moment, marked interrupted until the run ends) and each repository's HTML section then
 * (spool-file.ts), both put in repository name order at the end, the Markdown from lists
 * gathered as repositories finish (markdown-report.ts), `latest.*` replaced atomically, old
 * runs pruned, the Markdown appended to GITHUB_STEP_SUMMARY (github/step-summary.ts), and a
 * console line naming the files.
 */
@injectable()
export class ReportFilesObserver implements RunObserver {
  private readonly runs = new Map<string, Run>();
  private readonly tool = { name: 'reg-cleaner', version: packageVersion() };

  constructor(
    @inject(ReportsSettings) private readonly settings: ReportsSettings,
    @inject(RegistryAddress) private readonly registry: RegistryAddress,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
    @inject(ReportStream) private readonly out: TextSink,
  ) {}

  async jobStarted(event: JobStartedEvent): Promise<void> {
    const { job, dryRun, startedAt } = event;
    // A job never overlaps itself; a run that never finished (its observer failed) is let go.
    const unfinished = this.runs.get(job.name);
    await unfinished?.file.close().catch(() => undefined);
    await unfinished?.htmlParts?.remove();
    const paths = reportPaths(job.name, startedAt, dryRun, this.settings.dir);
    await mkdir(jobFolder(this.settings.dir, job.name), { recursive: true });
    const source = this.wants('json') ? paths.json : tempNameFor(paths.json);
    const head = reportHead(job, event, this.tool, safeUrl(this.registry.url).replace(/\/$/, ''));
    const file = await JsonReportFile.create(
      source,
      head,
      provisionalTail(this.clock.now(), EMPTY_SUMMARY),
    );
    const htmlParts = this.wants('html')
      ? await SpoolFile.create(tempNameFor(paths.html)).catch(async (error: unknown) => {
          // The run is not registered: its JSON file would stay open otherwise.
          await file.close();
          throw error;
        })
      : undefined;
    this.runs.set(job.name, {
      job,
      dryRun,
      paths,
      source,
      file,
      head: asWritten(head),
      htmlParts,
      lines: [],
      markdown: this.wants('md') ? new MarkdownLists(dryRun) : undefined,
      summary: EMPTY_SUMMARY,
    });
  }

  async repositoryFinished(event: RepositoryFinishedEvent): Promise<void> {
    const run = this.runs.get(event.jobName);
    if (run === undefined) return;
    run.summary = addToSummary(run.summary, event.summary);
    const repository = reportRepository(run.job, event.report, event.summary);
    await Promise.all([
      run.file.add(repository, provisionalTail(this.clock.now(), run.summary)),
      run.htmlParts?.add(repository.name, htmlReport.repository(repository, run.dryRun)),
    ]);
    run.markdown?.repository(
      repository.name,
      repository.errors,
      repository.tags,
      repository.accessories,
    );
    run.lines.push({
      name: repository.name,
      status: repository.status,
      summary: asWritten(repository.summary),
      reclaimableBytes: repository.reclaimableBytes,
    });
  }

  async jobFinished(event: JobFinishedEvent): Promise<void> {
    const jobName = event.report.jobName;
    const run = this.runs.get(jobName);
    if (run === undefined) return;
    this.runs.delete(jobName);
    const markdown = await this.finishFiles(run, reportTail(event.report));
    if (!this.wants('json')) await unlink(run.source);
    const written = this.settings.formats.map((format) => run.paths[format]);
    const latest = latestReportPaths(jobName, this.settings.dir);
    for (const format of this.settings.formats) {
      await replaceWithCopy(run.paths[format], latest[format]);
    }
    const folder = jobFolder(this.settings.dir, jobName);
    const pruned = await pruneRuns(folder, this.settings.keepLast);
    const summaryFile = this.settings.stepSummaryFile;
    if (markdown !== undefined && summaryFile !== undefined && summaryFile !== '') {
      await appendStepSummary(summaryFile, markdown, this.logger);
    }
    this.logger.info('report files written', {
      job: jobName,
      files: written.join(','),
      ...(pruned.length > 0 ? { pruned: pruned.length } : {}),
    });
    this.out.write(`${jobName}: report ${written.join(', ')}\n`);
  }

  private wants(format: ReportFormat): boolean {
    return this.settings.formats.includes(format);
  }

  /**
   * Finishes the JSON (in name order); the HTML's sections, rendered as repositories finished,
   * are copied in the same order between its top (which needs the final counts) and its end;
   * the Markdown is made from the lists gathered as repositories finished. Nothing is read back
   * whole or parsed (issue 25: at 20,000 tags, reading the parts back as text and parsing the
   * JSON for the Markdown made the run's peak memory). Returns the Markdown's input when it was
   * written.
   */
  private async finishFiles(run: Run, finalTail: ReportTail): Promise<MarkdownInput | undefined> {
    try {
      return await this.finishEach(run, finalTail);
    } finally {
      await run.htmlParts?.remove();
    }
  }

  private async finishEach(run: Run, finalTail: ReportTail): Promise<MarkdownInput | undefined> {
    const { head } = run;
    const tail = asWritten(finalTail);
    const lines = [...run.lines].sort((a, b) => compareCodePoints(a.name, b.name));
    const parts = run.htmlParts;
    if (parts !== undefined) {
      await writeReport(run.paths.html, async (write) => {
        await write(htmlReport.start(head, tail, lines));
        await parts.copyInNameOrder(write);
        await write(htmlReport.end());
      });
    }
    await run.file.finish(finalTail);
    const lists = run.markdown;
    if (lists === undefined) return undefined;
    const input: MarkdownInput = {
      head,
      tail,
      repositories: lines,
      deleted: lists.deleted,
      deletedTotal: lists.deletedTotal,
      untagged: lists.untagged,
      untaggedTotal: lists.untaggedTotal,
      accessories: lists.accessories,
      accessoriesTotal: lists.accessoriesTotal,
      failures: lists.failures,
      failuresTotal: lists.failuresTotal,
    };
    await writeReport(run.paths.md, (write) => write(renderMarkdown(input)));
    return input;
  }
}

/**
 * Reports go through the state folder's atomic writer (every byte written, fsynced, renamed),
 * but readable by others and under a hidden temp name, which pruneRuns never takes for a run.
 */
function writeReport(path: string, fill: (write: WriteText) => Promise<void>): Promise<void> {
  return writeAtomically(path, fill, { mode: 0o644, tempName: tempNameFor(path) });
}

/** A value as the JSON file holds it (what reading it back gave the HTML and Markdown before). */
function asWritten<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
