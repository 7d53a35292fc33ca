import { appendFile } from 'node:fs/promises';
import { inject, injectable, optional } from 'inversify';
import { Logger } from '../../../application/ports/logger.port.js';
import type {
  JobFinishedEvent,
  RunObserver,
} from '../../../application/ports/run-observer.port.js';
import type { JobReport } from '../../../domain/job-report.js';
import { jobWarnings } from '../../../domain/job-warnings.js';
import { shardLabel } from '../../../domain/shard.js';
import { redact } from '../../shared/secrets/redact.js';
import { ReportStream, type TextSink } from '../console-table.observer.js';
import { reportPaths } from '../report-files.js';
import { ReportsSettings } from '../reports-settings.js';
import { GitHubActions } from './github-actions.js';
import { annotation, stepOutputText, type AnnotationLevel } from './workflow-commands.js';

/**
 * GitHub shows only the first few annotations of a step; past this many per job and level, one
 * more line says how many were left out (the report lists them all).
 */
export const ANNOTATIONS_PER_JOB = 10;

/** The step outputs a run writes, in this order (action.yml declares the same). */
export const STEP_OUTPUTS = [
  'deleted',
  'would_delete',
  'untagged',
  'failed',
  'reclaimable_bytes',
  'report',
] as const;
type StepOutput = (typeof STEP_OUTPUTS)[number];

interface Totals {
  deleted: number;
  wouldDelete: number;
  untagged: number;
  failed: number;
  reclaimableBytes: number;
}

/**
 * A one-shot run's results for the GitHub Actions step it runs in (issue 24 item 4): each job's
 * warnings and failures as annotations on stdout when it ends, and at the end of the process
 * the step outputs (the counts of every job together, and the JSON reports' paths).
 */
@injectable()
export class GitHubStepResults implements RunObserver {
  private readonly totals: Totals = {
    deleted: 0,
    wouldDelete: 0,
    untagged: 0,
    failed: 0,
    reclaimableBytes: 0,
  };
  private readonly reports: string[] = [];
  private jobsFinished = 0;

  constructor(
    @inject(GitHubActions) private readonly github: GitHubActions,
    @inject(ReportStream) private readonly out: TextSink,
    @inject(Logger) private readonly logger: Logger,
    @inject(ReportsSettings) @optional() private readonly settings: ReportsSettings | undefined,
  ) {}

  jobStarted(): Promise<void> {
    return Promise.resolve();
  }

  repositoryFinished(): Promise<void> {
    return Promise.resolve();
  }

  jobFinished({ report }: JobFinishedEvent): Promise<void> {
    this.jobsFinished += 1;
    const { deleted, untagged, failed, reclaimableBytes } = report.totals;
    if (report.dryRun) this.totals.wouldDelete += deleted;
    else this.totals.deleted += deleted;
    // Like the reports' counts: tags untagged, or that a dry run would untag.
    this.totals.untagged += untagged;
    this.totals.failed += failed;
    this.totals.reclaimableBytes += reclaimableBytes;
    const json = this.jsonReportOf(report);
    if (json !== undefined) this.reports.push(json);
    if (this.github.annotations) this.out.write(annotationsOf(report));
    return Promise.resolve();
  }

  /** Appends the step outputs once, when the jobs are over; a file that fails is logged. */
  async writeStepOutputs(): Promise<void> {
    const file = this.github.outputFile;
    if (file === undefined || this.jobsFinished === 0) return;
    const values: Record<StepOutput, string> = {
      deleted: String(this.totals.deleted),
      would_delete: String(this.totals.wouldDelete),
      untagged: String(this.totals.untagged),
      failed: String(this.totals.failed),
      reclaimable_bytes: String(this.totals.reclaimableBytes),
      // One path per job, one per line (a multi-line output when several jobs ran).
      report: this.reports.join('\n'),
    };
    const text = stepOutputText(STEP_OUTPUTS.map((name) => [name, values[name]] as const));
    try {
      await appendFile(file, text);
    } catch (error) {
      this.logger.error('the GitHub step outputs could not be written', {
        file,
        error: redact(error instanceof Error ? error.message : String(error)),
      });
    }
  }

  private jsonReportOf(report: JobReport): string | undefined {
    if (this.settings?.formats.includes('json') !== true) return undefined;
    return reportPaths(report.jobName, report.startedAt, report.dryRun, this.settings.dir).json;
  }
}

/** The job's failures as errors and its warnings as warnings, each list capped. */
function annotationsOf(report: JobReport): string {
  // A matrix of `--shard I/N` steps: each annotation says which shard saw it.
  const shard = report.shard === undefined ? '' : ` (shard ${shardLabel(report.shard)})`;
  const title = `reg-cleaner: job ${report.jobName}${shard}`;
  const errors = [...report.errors];
  for (const repository of report.repositories) {
    for (const error of repository.errors) errors.push(`${repository.repository}: ${error}`);
  }
  if (report.totals.failed > 0) {
    errors.push(`${plural(report.totals.failed, 'tag')} could not be deleted (see the report)`);
  }
  if (report.interrupted) errors.push('the run was interrupted before it finished');
  return (
    capped('error', title, errors.map(redact)) +
    capped('warning', title, jobWarnings(report).map(redact))
  );
}

function capped(level: AnnotationLevel, title: string, messages: readonly string[]): string {
  const shown = messages.slice(0, ANNOTATIONS_PER_JOB);
  let text = shown.map((message) => annotation(level, title, message)).join('');
  const left = messages.length - shown.length;
  if (left > 0) {
    text += annotation(level, title, `${plural(left, `more ${level}`)}: see the report`);
  }
  return text;
}

function plural(count: number, noun: string): string {
  return `${String(count)} ${noun}${count === 1 ? '' : 's'}`;
}
