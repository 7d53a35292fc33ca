import { inject, injectable } from 'inversify';
import { emptySelectors, needsCatalog, resolveRepositories, type Job } from '../domain/job.js';
import { failedBeforeStart, type JobReport, type RunMode } from '../domain/job-report.js';
import { inShard, type Shard } from '../domain/shard.js';
import { Clock } from './ports/clock.port.js';
import { Logger } from './ports/logger.port.js';
import { Registry } from './ports/registry.port.js';
import { StateStore } from './ports/state-store.port.js';
import { messageOf } from './error-message.js';
import { RunEvents } from './run-events.js';
import { RunJob } from './run-job.use-case.js';

export interface RunJobsOptions {
  readonly dryRun: boolean;
  readonly mode: RunMode;
  readonly signal?: AbortSignal;
  /** `--strict`: any warning fails the job. */
  readonly strict?: boolean;
  /**
   * `--shard I/N` (behaviour.md section 8): only the job's repositories that hash to shard I.
   * Literal names and `r/<regex>/` matches are split alike, after the selectors are resolved,
   * so that an empty-selector warning still speaks of the whole catalog.
   */
  readonly shard?: Shard;
}

type Catalog = { readonly names: readonly string[] } | { readonly error: string } | undefined;

/**
 * Runs a batch of jobs concurrently (the registry adapter's limiter bounds the requests),
 * fetching the catalog once for all of them, and records each run: history lines and the
 * latest_cleanup.json record. The run's observers hear when each job starts and ends.
 */
@injectable()
export class RunJobs {
  constructor(
    @inject(RunJob) private readonly runJob: RunJob,
    @inject(Registry) private readonly registry: Registry,
    @inject(StateStore) private readonly state: StateStore,
    @inject(RunEvents) private readonly events: RunEvents,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async execute(jobs: readonly Job[], options: RunJobsOptions): Promise<JobReport[]> {
    // The jobs start when the batch does: reading the catalog is part of their time.
    const at = this.clock.now();
    const catalog = await this.catalogFor(jobs);
    return Promise.all(jobs.map((job) => this.runOne(job, catalog, options, at)));
  }

  private async catalogFor(jobs: readonly Job[]): Promise<Catalog> {
    if (!jobs.some(needsCatalog)) return undefined;
    try {
      return { names: await this.registry.listRepositories() };
    } catch (error) {
      this.logger.error('catalog could not be read', { error: messageOf(error) });
      return { error: `reading the registry catalog failed: ${messageOf(error)}` };
    }
  }

  private async runOne(
    job: Job,
    catalog: Catalog,
    options: RunJobsOptions,
    at: Date,
  ): Promise<JobReport> {
    const names = catalog !== undefined && 'names' in catalog ? catalog.names : [];
    const repositories =
      catalog !== undefined && 'error' in catalog && needsCatalog(job)
        ? { error: catalog.error }
        : { names: inShardOnly(resolveRepositories(job, names), options.shard) };
    // Only a catalog that was read can say that a selector matches nothing: a registry that is
    // down, or refused the credentials, gave no list at all (an error, not an empty one).
    const warnings =
      needsCatalog(job) && 'names' in repositories
        ? emptySelectors(job, names).map((label) => `${label} matches no repository of the catalog`)
        : [];
    for (const warning of warnings) this.logger.warn(warning, { job: job.name });
    await this.events.jobStarted({
      job,
      mode: options.mode,
      dryRun: options.dryRun,
      startedAt: at,
      ...(options.shard === undefined ? {} : { shard: options.shard }),
      ...('names' in repositories
        ? { repositories: repositories.names.length }
        : { repositories: 0, cannotStart: repositories.error }),
    });
    await this.state.appendHistory({
      kind: 'started',
      jobName: job.name,
      dryRun: options.dryRun,
      at,
    });
    // A catalog that was read proves the credentials: the repositories need not wait for one.
    const accepted = catalog !== undefined && 'names' in catalog;
    const ran = await this.run(job, repositories, options, at, warnings, accepted);
    // The record, the reports and the notifications say which shard of the job this run was.
    const report = options.shard === undefined ? ran : { ...ran, shard: options.shard };
    await this.state.saveReport(report);
    const kind = report.interrupted ? 'interrupted' : report.success ? 'finished' : 'failed';
    await this.state.appendHistory({ kind, report });
    await this.events.jobFinished({ report });
    this.logger.info(`job ${kind}`, { job: job.name, dryRun: options.dryRun });
    return report;
  }

  private async run(
    job: Job,
    repositories: { readonly names: readonly string[] } | { readonly error: string },
    options: RunJobsOptions,
    at: Date,
    warnings: readonly string[],
    credentialsAccepted: boolean,
  ): Promise<JobReport> {
    const failed = (error: string): JobReport =>
      failedBeforeStart(job.name, options.mode, options.dryRun, {
        startedAt: at,
        finishedAt: this.clock.now(),
        error,
      });
    if ('error' in repositories) {
      // A catalog read cut short by a signal: the run was stopped, not broken.
      const report = failed(repositories.error);
      return options.signal?.aborted === true ? { ...report, interrupted: true } : report;
    }
    try {
      return await this.runJob.execute(job, {
        dryRun: options.dryRun,
        mode: options.mode,
        repositories: repositories.names,
        startedAt: at,
        warnings,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.strict === true ? { strict: true } : {}),
        ...(credentialsAccepted ? { credentialsAccepted } : {}),
      });
    } catch (error) {
      // RunJob records failures per repository; this is the last net so one job never takes others down.
      this.logger.error('job crashed', { job: job.name, error: messageOf(error) });
      return failed(messageOf(error));
    }
  }
}

/** The repositories of the shard, in the order the job resolved them; all of them without one. */
function inShardOnly(names: readonly string[], shard: Shard | undefined): readonly string[] {
  return shard === undefined ? names : names.filter((name) => inShard(name, shard));
}
