import { Container, ContainerModule } from 'inversify';
import { Clock } from './application/ports/clock.port.js';
import { DeletionJournal } from './application/ports/deletion-journal.port.js';
import { Logger } from './application/ports/logger.port.js';
import { Registry } from './application/ports/registry.port.js';
import { Notifier } from './application/ports/notifier.port.js';
import { RunObserver } from './application/ports/run-observer.port.js';
import { Scheduler } from './application/ports/scheduler.port.js';
import { StateStore } from './application/ports/state-store.port.js';
import { RunEvents } from './application/run-events.js';
import { RunJob } from './application/run-job.use-case.js';
import { RunJobs } from './application/run-jobs.use-case.js';
import { RunManualJobs } from './application/run-manual-jobs.use-case.js';
import { RestoreJobs } from './application/restore-jobs.use-case.js';
import { TestNotifications } from './application/test-notifications.use-case.js';
import { WatchObserver } from './application/ports/watch-observer.port.js';
import { WatchJobs } from './application/watch-jobs.use-case.js';
import { SystemClock } from './adapters/clock/system-clock.adapter.js';
import {
  FileManifestCache,
  FileManifestCacheOptions,
} from './adapters/registry/cache/file-manifest-cache.adapter.js';
import { FileDeletionJournal } from './adapters/journal/file-deletion-journal.adapter.js';
import { JournalRetentionObserver } from './adapters/journal/journal-retention.observer.js';
import { DEFAULT_JOURNAL_SETTINGS, JournalSettings } from './adapters/journal/journal-settings.js';
import {
  HttpDockerRegistry,
  HttpDockerRegistryOptions,
} from './adapters/registry/http-docker-registry.adapter.js';
import { RegistryAuth } from './adapters/registry/auth/registry-auth.js';
import { askCredentialHelper } from './adapters/registry/auth/credential-helper.js';
import { loginSourceOf } from './adapters/registry/auth/login.js';
import { ManifestCopies } from './adapters/registry/manifests/manifest-copies.js';
import { ManifestResolver } from './adapters/registry/manifests/manifest-resolver.js';
import { RecentManifests } from './adapters/registry/manifests/recent-manifests.js';
import { Referrers } from './adapters/registry/manifests/referrers.js';
import { RepositorySender } from './adapters/registry/repository-sender.js';
import { axiosExchange, HttpExchange } from './adapters/registry/transport/exchange.js';
import { noProxyFrom } from './adapters/registry/transport/proxy.js';
import { bottleneckRateCeiling } from './adapters/registry/transport/rate-ceiling.js';
import { DEFAULT_RETRY_POLICY } from './adapters/shared/http/retry-policy.js';
import {
  RegistryHttpClient,
  type RegistryHttpClientOptions,
} from './adapters/registry/transport/registry-http-client.js';
import { RequestGate, RequestLimiter } from './adapters/registry/transport/request-limiter.js';
import { ManifestCache } from './adapters/registry/cache/manifest-cache.js';
import { normaliseBaseUrl, RegistrySettings } from './adapters/registry/registry-settings.js';
import { RegistryAddress } from './adapters/shared/registry-address.js';
import { RequestStats } from './adapters/shared/http/request-stats.js';
import { consoleLines } from './adapters/shared/text/console-lines.js';
import { ProgressObserver } from './adapters/progress/progress.observer.js';
import { writeStatsFile } from './adapters/registry/stats-file.js';
import { MetricsOptions } from './adapters/metrics/metrics-options.js';
import { FileStateStore } from './adapters/state/file-state-store.adapter.js';
import { StateDir } from './adapters/shared/files/state-dir.js';
import { DeliveryTiming, SYSTEM_TIMING } from './adapters/notify/delivery.js';
import { FileNotificationLog } from './adapters/notify/notification-log.js';
import { MessageSender, NotificationSender } from './adapters/notify/notification-sender.js';
import {
  NotificationTargets,
  type NotificationTarget,
} from './adapters/notify/notification-settings.js';
import { NotificationObserver } from './adapters/notify/notification.observer.js';
import { TargetsNotifier } from './adapters/notify/targets-notifier.adapter.js';
import { ReportFilesObserver } from './adapters/reports/report-files.observer.js';
import { ReportsSettings } from './adapters/reports/reports-settings.js';
import { reportLocator } from './adapters/reports/report-locator.js';
import { GitHubActions, wantsStepResults } from './adapters/reports/github/github-actions.js';
import { GitHubStepResults } from './adapters/reports/github/step-results.observer.js';
import { NO_REPORTS, ReportLocator } from './adapters/shared/report-location.js';
import { LatestRuns } from './adapters/shared/latest-runs.js';
import { reportsLatestRuns } from './adapters/reports/latest-runs.js';
import {
  ConsoleTableObserver,
  ReportStream,
  type TextSink,
} from './adapters/reports/console-table.observer.js';

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
 * The composition root: the only place that knows which adapter serves which port.
 * Singletons where sharing is the point: one registry client (one limiter, one token cache,
 * one manifest cache) for every job of the process, and one state store (one write queue).
 * Run observers (the console table, later report files, metrics, notifications) are each one
 * more RunObserver binding; RunEvents hands every event to all of them.
 */
export async function buildContainer(options: CompositionOptions): Promise<Container> {
  const container = new Container();
  if (options.watch) {
    // node-schedule and cron-parser are loaded only by the mode that uses them.
    const { NodeScheduleScheduler } =
      await import('./adapters/scheduling/node-schedule-scheduler.adapter.js');
    container.bind(Scheduler).to(NodeScheduleScheduler).inSingletonScope();
    const { ConsoleWatchBanner } = await import('./adapters/reports/watch-banner.observer.js');
    container.bind(WatchObserver).to(ConsoleWatchBanner).inSingletonScope();
  }
  container.load(
    new ContainerModule(({ bind }) => {
      // Tag -> digest and digest facts in the state folder: warm runs confirm tags with HEAD.
      bind(ManifestCache).to(FileManifestCache).inSingletonScope();
      bind(FileManifestCacheOptions).toConstantValue({});
    }),
    registryModule(options.registry, options.stop),
    new ContainerModule(({ bind }) => {
      bind(StateDir).toConstantValue(options.stateDir);
      bind(FileStateStore).toSelf().inSingletonScope();
      bind(StateStore).toService(FileStateStore);
      // Deletion journals (issue 16): written ahead of each DELETE, pruned as each real run starts.
      bind(JournalSettings).toConstantValue(options.journal ?? DEFAULT_JOURNAL_SETTINGS);
      bind(DeletionJournal).to(FileDeletionJournal).inSingletonScope();
      bind(RunObserver).to(JournalRetentionObserver).inSingletonScope();
    }),
    new ContainerModule(({ bind }) => {
      bind(Logger).toConstantValue(options.logger);
      bind(Clock).to(SystemClock).inSingletonScope();
    }),
    new ContainerModule(({ bind }) => {
      // The table passes ConsoleLines: a live progress line on the same terminal steps aside.
      bind(ReportStream).toConstantValue({
        write: (text: string) => {
          consoleLines.write(options.reportStream, text);
        },
      });
      bind(RunObserver).to(ConsoleTableObserver).inSingletonScope();
      bind(RunObserver).to(ProgressObserver).inSingletonScope();
      if (options.reports !== undefined && options.reports.formats.length > 0) {
        bind(ReportsSettings).toConstantValue(options.reports);
        bind(RunObserver).to(ReportFilesObserver).inSingletonScope();
        // Notifications name the report the writer above is writing.
        bind(ReportLocator).toConstantValue(reportLocator(options.reports));
        // The watch page of the metrics listener reads and serves the reports folder.
        if (options.metrics?.reportsPage === true) {
          bind(LatestRuns).toConstantValue(reportsLatestRuns(options.reports));
        }
      } else {
        bind(ReportLocator).toConstantValue(NO_REPORTS);
      }
      if (options.github !== undefined && wantsStepResults(options.github)) {
        bind(GitHubActions).toConstantValue(options.github);
        bind(GitHubStepResults).toSelf().inSingletonScope();
        bind(RunObserver).toService(GitHubStepResults);
      }
      bind(RunEvents).toSelf().inSingletonScope();
    }),
    new ContainerModule(({ bind }) => {
      bind(NotificationTargets).toConstantValue(options.notifications ?? []);
      bind(DeliveryTiming).toConstantValue(SYSTEM_TIMING);
      bind(MessageSender).to(NotificationSender).inSingletonScope();
      bind(FileNotificationLog).toSelf().inSingletonScope();
      bind(RunObserver).to(NotificationObserver).inSingletonScope();
      bind(Notifier).to(TargetsNotifier).inSingletonScope();
    }),
    new ContainerModule(({ bind }) => {
      bind(RunJob).toSelf().inSingletonScope();
      bind(RunJobs).toSelf().inSingletonScope();
      bind(RunManualJobs).toSelf().inSingletonScope();
      bind(WatchJobs).toSelf().inSingletonScope();
      bind(RestoreJobs).toSelf().inSingletonScope();
      bind(TestNotifications).toSelf().inSingletonScope();
    }),
  );
  if (options.metrics !== undefined)
    container.load(await metricsModule(options.metrics, options.watch));
  return container;
}

/**
 * The Registry port and the parts that serve it, each a singleton: one transport (one request
 * gate, one pool of connections), one token cache, one resolver and one count of requests for
 * every job of the process (a transient gate would limit nothing). The registry cache
 * (ManifestCache) is bound beside it: a file in the state folder, or memory in tests.
 * HttpDockerRegistryOptions holds test hooks only; tests rebind it, or HttpExchange.
 */
export function registryModule(settings: RegistrySettings, stop?: AbortSignal): ContainerModule {
  const baseUrl = normaliseBaseUrl(settings.url);
  return new ContainerModule(({ bind }) => {
    bind(RegistrySettings).toConstantValue(settings);
    // What reports and notifications name; they never see the registry's settings.
    bind(RegistryAddress).toConstantValue({
      url: settings.url,
      ...(settings.credentialsFrom === undefined
        ? {}
        : { credentialsFrom: settings.credentialsFrom }),
    });
    bind(HttpDockerRegistryOptions).toConstantValue({});
    // The benchmark and the request metrics read the one count of the process.
    bind(RequestStats).toSelf().inSingletonScope();
    bind(HttpExchange).toConstantValue(axiosExchange);
    // `max_concurrent_requests`, shared by every job, the catalog and the token requests.
    bind(RequestGate)
      .toDynamicValue(() => new RequestLimiter(Math.max(1, settings.maxConcurrentRequests)))
      .inSingletonScope();
    bind(RegistryHttpClient)
      .toDynamicValue((context) => {
        const hooks = context.get<HttpDockerRegistryOptions>(HttpDockerRegistryOptions);
        const noProxy = noProxyFrom(hooks.env ?? process.env);
        return new RegistryHttpClient({
          timeoutMs: settings.timeoutMs,
          maxConcurrentRequests: settings.maxConcurrentRequests,
          gate: context.get<RequestLimiter>(RequestGate),
          exchange: context.get<HttpExchange>(HttpExchange),
          ...(settings.maxRequestsPerSecond !== undefined
            ? { rateCeiling: bottleneckRateCeiling(settings.maxRequestsPerSecond) }
            : {}),
          httpLogs: settings.httpLogs,
          insecure: settings.insecure,
          logger: context.get<Logger>(Logger),
          stats: context.get(RequestStats),
          ...(settings.proxy !== undefined ? { proxy: settings.proxy } : {}),
          ...(noProxy !== undefined ? { noProxy } : {}),
          ...(settings.caFile !== undefined ? { caFile: settings.caFile } : {}),
          ...hooksOf(hooks, settings),
          ...(stop === undefined ? {} : { stop }),
        });
      })
      .inSingletonScope();
    bind(RegistryAuth)
      .toDynamicValue((context) => {
        const hooks = context.get<HttpDockerRegistryOptions>(HttpDockerRegistryOptions);
        const now = hooks.now ?? ((): Date => new Date());
        // A credential helper runs with this process's environment (PATH finds it), bounded
        // by the request timeout.
        const env = hooks.env ?? process.env;
        const login = loginSourceOf(settings, (helper, server) =>
          askCredentialHelper(helper, server, { timeoutMs: settings.timeoutMs, env }),
        );
        return new RegistryAuth(context.get(RegistryHttpClient), baseUrl, login, now);
      })
      .inSingletonScope();
    // Manifests a real run read lately: its journal takes their bytes from memory (issue 16).
    bind(RecentManifests)
      .toDynamicValue(() => new RecentManifests())
      .inSingletonScope();
    bind(RepositorySender)
      .toDynamicValue(
        (context) => new RepositorySender(context.get(RegistryAuth), context.get(RecentManifests)),
      )
      .inSingletonScope();
    bind(ManifestResolver)
      .toDynamicValue(
        (context) =>
          new ManifestResolver(
            context.get(RepositorySender).send,
            baseUrl,
            context.get<ManifestCache>(ManifestCache),
          ),
      )
      .inSingletonScope();
    bind(ManifestCopies)
      .toDynamicValue(
        (context) =>
          new ManifestCopies(
            context.get(RepositorySender).send,
            baseUrl,
            context.get(RecentManifests),
          ),
      )
      .inSingletonScope();
    // Whether the registry has the referrers API is found once and remembered (issue 21).
    bind(Referrers)
      .toDynamicValue((context) => new Referrers(context.get(RepositorySender).send, baseUrl))
      .inSingletonScope();
    bind(HttpDockerRegistry).toSelf().inSingletonScope();
    bind(Registry).toService(HttpDockerRegistry);
  });
}

/**
 * The transport's retry policy and test hooks (retry timing, clock) that are set. A hook's
 * policy wins; else config.yaml's retry_base_delay over the defaults; else the defaults.
 */
function hooksOf(
  hooks: HttpDockerRegistryOptions,
  settings: RegistrySettings,
): Partial<RegistryHttpClientOptions> {
  const retryPolicy =
    hooks.retryPolicy ??
    (settings.retryBaseDelayMs === undefined
      ? undefined
      : { ...DEFAULT_RETRY_POLICY, baseDelayMs: settings.retryBaseDelayMs });
  return {
    ...(hooks.now !== undefined ? { now: hooks.now } : {}),
    ...(retryPolicy !== undefined ? { retryPolicy } : {}),
    ...(hooks.sleep !== undefined ? { sleep: hooks.sleep } : {}),
    ...(hooks.random !== undefined ? { random: hooks.random } : {}),
  };
}

/**
 * Metrics are one more run observer; watch mode with an address also serves the probes.
 * prom-client is loaded only when metrics are asked for.
 */
async function metricsModule(metrics: MetricsOptions, watch: boolean): Promise<ContainerModule> {
  const [{ CleanerMetrics }, { MetricsEndpoint }, { MetricsObserver }, { WatchHealth }] =
    await Promise.all([
      import('./adapters/metrics/cleaner-metrics.js'),
      import('./adapters/metrics/metrics-endpoint.js'),
      import('./adapters/metrics/metrics.observer.js'),
      import('./adapters/metrics/watch-health.js'),
    ]);
  return new ContainerModule(({ bind }) => {
    bind(MetricsOptions).toConstantValue(metrics);
    bind(CleanerMetrics).toSelf().inSingletonScope();
    bind(RunObserver).to(MetricsObserver).inSingletonScope();
    bind(MetricsOutputs).to(MetricsEndpoint).inSingletonScope();
    if (watch && metrics.listen !== undefined) {
      bind(WatchHealth).toSelf().inSingletonScope();
      bind(WatchObserver).toService(WatchHealth);
    }
  });
}

/** The metrics endpoint and file, as main.ts sees them (bound only when metrics are on). */
interface MetricsOutputs {
  open(): Promise<void>;
  close(): Promise<void>;
}
const MetricsOutputs = Symbol('MetricsOutputs');

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
