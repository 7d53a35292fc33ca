import { Container, ContainerModule } from 'inversify';
import { Clock } from './application/ports/clock.port.js';
import { Logger } from './application/ports/logger.port.js';
import { SystemClock } from './adapters/clock/system-clock.adapter.js';
import type { JournalSettings } from './adapters/journal/journal-settings.js';
import type { MetricsOptions } from './adapters/metrics/metrics-options.js';
import type { NotificationTarget } from './adapters/notify/notification-settings.js';
import { ManifestCache } from './adapters/registry/cache/manifest-cache.js';
import type { RegistrySettings } from './adapters/registry/registry-settings.js';
import { writeStatsFile } from './adapters/registry/stats-file.js';
import type { TextSink } from './adapters/reports/console-table.observer.js';
import type { GitHubActions } from './adapters/reports/github/github-actions.js';
import { GitHubStepResults } from './adapters/reports/github/step-results.observer.js';
import type { ReportsSettings } from './adapters/reports/reports-settings.js';
import { RequestStats } from './adapters/shared/http/request-stats.js';
import { FileStateStore } from './adapters/state/file-state-store.adapter.js';
import { metricsModule, MetricsOutputs } from './composition/metrics.module.js';
import { notifyModule } from './composition/notify.module.js';
import { observersModule } from './composition/observers.module.js';
import { registryModule } from './composition/registry.module.js';
import { stateModule } from './composition/state.module.js';
import { useCasesModule } from './composition/use-cases.module.js';
import { watchModule } from './composition/watch.module.js';

/** What main.ts knows before the container exists: settings and the already configured I/O. */
export interface CompositionOptions {
  readonly registry: RegistrySettings;
  readonly stateDir: string;
  readonly logger: Logger;
  /** Where the console table goes (process.stdout). */
  readonly reportStream: TextSink;
  /** Watch mode needs the scheduler; a one-shot run does not load it. */
  readonly watch: boolean;
  /** Metrics endpoint (watch) or file (one-shot); undefined = no metrics at all. */
  readonly metrics?: MetricsOptions | undefined;
  /** `journal_keep_days` (default 30 days). */
  readonly journal?: JournalSettings;
  /** config.yaml `notifications:` (none when absent). */
  readonly notifications?: readonly NotificationTarget[];
  /** Report files (issue 10); none when absent or when no format is chosen. */
  readonly reports?: ReportsSettings;
  /** Aborted on SIGINT/SIGTERM: no registry request goes out after that (issue 27). */
  readonly stop?: AbortSignal;
  /** A one-shot run in a GitHub Actions step: step outputs and annotations (issue 24). */
  readonly github?: GitHubActions;
}

/**
 * The composition root: the only place that knows which adapter serves which port; each
 * group of bindings is a module of src/composition/. Singletons where sharing is the point:
 * one registry client (one limiter, one token cache, one manifest cache) for every job of the
 * process, and one state store (one write queue). Run observers (the console table, report
 * files, metrics, notifications) are each one more RunObserver binding; RunEvents hands every
 * event to all of them.
 */
export async function buildContainer(options: CompositionOptions): Promise<Container> {
  const container = new Container();
  if (options.watch) container.load(await watchModule());
  container.load(
    registryModule(options.registry, options.stop),
    stateModule(options.stateDir, options.journal),
    new ContainerModule(({ bind }) => {
      bind(Logger).toConstantValue(options.logger);
      bind(Clock).to(SystemClock).inSingletonScope();
    }),
    observersModule(options),
    notifyModule(options.notifications ?? []),
    useCasesModule,
  );
  if (options.metrics !== undefined)
    container.load(await metricsModule(options.metrics, options.watch));
  return container;
}

/** Opens the metrics endpoint (watch) before the jobs start; exit 2 when it cannot listen. */
export async function openMetrics(container: Container): Promise<void> {
  if (container.isBound(MetricsOutputs)) await container.get<MetricsOutputs>(MetricsOutputs).open();
}

/**
 * The state store as a signal handler needs it, synchronously: which jobs are open, and
 * their history lines written at once before a forced exit.
 */
export function stateFilesOf(container: Container): FileStateStore {
  return container.get(FileStateStore);
}

/**
 * End of the process: saves the registry cache (while the state lock is still held) and, with
 * REG_CLEANER_STATS_FILE set, writes request counts and peak memory for the benchmark.
 */
export async function closeContainer(
  container: Container,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  // The metrics file holds the whole run; the endpoint answers until the jobs are over.
  if (container.isBound(MetricsOutputs))
    await container.get<MetricsOutputs>(MetricsOutputs).close();
  // Once every job is over: the step outputs hold the counts of all of them.
  if (container.isBound(GitHubStepResults))
    await container.get(GitHubStepResults).writeStepOutputs();
  await container.get<ManifestCache>(ManifestCache).flush();
  writeStatsFile(env, container.get(RequestStats));
}
