import { constants } from 'node:fs';
import { access, chmod } from 'node:fs/promises';
import { dirname } from 'node:path';
import { inject, injectable, optional } from 'inversify';
import { Clock } from '../../application/ports/clock.port.js';
import { Logger } from '../../application/ports/logger.port.js';
import { StateStore } from '../../application/ports/state-store.port.js';
import { UsageError } from '../shared/usage-error.js';
import { LatestRuns } from '../shared/latest-runs.js';
import { redact } from '../shared/secrets/redact.js';
import { writeFileAtomically } from '../shared/files/atomic-write.js';
import { CleanerMetrics } from './cleaner-metrics.js';
import { formatListenAddress } from './metrics-settings.js';
import { MetricsOptions } from './metrics-options.js';
import { ListenFailure, MetricsServer, type WatchPageSource } from './metrics-server.js';
import { WatchHealth } from './watch-health.js';
import { fsErrorCode } from '../shared/files/fs-error.js';

/**
 * The metrics outputs of the process: the HTTP endpoint of watch mode and the file of a
 * one-shot run. Opened by main before the jobs start, closed after they ended.
 */
@injectable()
export class MetricsEndpoint {
  private server: MetricsServer | undefined;

  constructor(
    @inject(MetricsOptions) private readonly options: MetricsOptions,
    @inject(CleanerMetrics) private readonly metrics: CleanerMetrics,
    @inject(Logger) private readonly logger: Logger,
    @inject(StateStore) private readonly state: StateStore,
    @inject(Clock) private readonly clock: Clock,
    @inject(WatchHealth) @optional() private readonly health: WatchHealth | undefined,
    @inject(LatestRuns) @optional() private readonly latestRuns: LatestRuns | undefined,
  ) {}

  /**
   * Binds the endpoint and checks that the metrics file can be written, before any request:
   * an address that cannot be bound or a folder that cannot be written is a usage error (exit 2).
   */
  async open(): Promise<void> {
    const { listen, file } = this.options;
    await this.publishRunsOnRecord();
    if (file !== undefined) {
      await access(dirname(file), constants.W_OK).catch((error: unknown) => {
        const code = fsErrorCode(error) ?? 'unusable';
        throw new UsageError(`--metrics-file ${file}: its folder cannot be written (${code})`);
      });
    }
    if (listen === undefined || this.health === undefined) return;
    const page = this.watchPage();
    const server = new MetricsServer(this.metrics, this.health, page);
    try {
      const bound = await server.listen(listen);
      this.server = server;
      this.logger.info('metrics endpoint listening', {
        address: formatListenAddress(bound),
        paths:
          page === undefined
            ? '/metrics /healthz /readyz'
            : '/ /reports/ /metrics /healthz /readyz',
      });
    } catch (error) {
      if (!(error instanceof ListenFailure)) throw error;
      const source = this.options.listenSource ?? 'metrics.listen';
      throw new UsageError(
        `the metrics endpoint cannot listen on ${formatListenAddress(listen)} (${source}): ${error.message}`,
      );
    }
  }

  /** The watch page, when `metrics: { reports: true }` asked for it (and reports are written). */
  private watchPage(): WatchPageSource | undefined {
    if (this.options.reportsPage !== true || this.latestRuns === undefined) return undefined;
    return { jobs: this.options.jobs, runs: this.latestRuns, now: () => this.clock.now() };
  }

  /**
   * The last real run of each job on record (latest_cleanup.json), so that after a restart the
   * last-success gauge does not wait for the next run, which may be a day away.
   */
  private async publishRunsOnRecord(): Promise<void> {
    const runs = await this.state.lastRealRuns();
    for (const job of this.options.jobs) {
      const run = runs.get(job);
      if (run === undefined) continue;
      const finished = run.finishedAt.getTime() / 1000;
      this.metrics.lastRun.set({ job }, finished);
      if (run.success) this.metrics.lastSuccess.set({ job }, finished);
    }
  }

  /** Stops the endpoint and writes the metrics file; a file that fails is logged, not fatal. */
  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
    const file = this.options.file;
    if (file === undefined) return;
    try {
      await writeFileAtomically(file, await this.metrics.text());
      // Metrics hold no secret, and the node-exporter textfile collector runs as another user.
      await chmod(file, 0o644);
    } catch (error) {
      this.logger.error('the metrics file could not be written', {
        file,
        error: redact(error instanceof Error ? error.message : String(error)),
      });
    }
  }
}
