import { ContainerModule } from 'inversify';
import { RunObserver } from '../application/ports/run-observer.port.js';
import { WatchObserver } from '../application/ports/watch-observer.port.js';
import { MetricsOptions } from '../adapters/metrics/metrics-options.js';

/** The metrics endpoint and file, as main.ts sees them (bound only when metrics are on). */
export interface MetricsOutputs {
  open(): Promise<void>;
  close(): Promise<void>;
}
export const MetricsOutputs = Symbol('MetricsOutputs');

/**
 * Metrics are one more run observer; watch mode with an address also serves the probes.
 * prom-client is loaded only when metrics are asked for.
 */
export async function metricsModule(
  metrics: MetricsOptions,
  watch: boolean,
): Promise<ContainerModule> {
  const [{ CleanerMetrics }, { MetricsEndpoint }, { MetricsObserver }, { WatchHealth }] =
    await Promise.all([
      import('../adapters/metrics/cleaner-metrics.js'),
      import('../adapters/metrics/metrics-endpoint.js'),
      import('../adapters/metrics/metrics.observer.js'),
      import('../adapters/metrics/watch-health.js'),
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
