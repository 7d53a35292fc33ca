import { shardLabel, type Shard } from '../../domain/shard.js';
import type { ListenAddress } from './metrics-settings.js';

/** What the operator asked for; absent parts are off. */
export interface MetricsOptions {
  /** Watch mode: serve /metrics, /healthz and /readyz here. */
  readonly listen?: ListenAddress;
  /** Where the address came from, for the message when it cannot be bound. */
  readonly listenSource?: string;
  /** Watch mode with `metrics: { reports: true }`: the listener also serves the watch page. */
  readonly reportsPage?: boolean;
  /** One-shot runs: write the metrics here once, at the end. */
  readonly file?: string;
  /** The jobs this process runs: their last runs on record are published at start. */
  readonly jobs: readonly string[];
  /** `--shard I/N` as written (`1/3`): every series gets a constant `shard` label. */
  readonly shard?: string;
}
export const MetricsOptions = Symbol('MetricsOptions');

/**
 * What the command line and config.yaml ask for together: `--metrics-listen` wins over
 * `metrics.listen`, which only watch mode serves; `--metrics-file` is for one-shot runs.
 * Undefined when neither asks for metrics (nothing is collected then).
 */
export function metricsOptionsFor(
  cli: {
    readonly watch: boolean;
    readonly metricsListen?: ListenAddress;
    readonly metricsFile?: string;
    readonly shard?: Shard;
  },
  config: { readonly metrics?: { readonly listen: ListenAddress; readonly reports?: boolean } },
  jobs: readonly string[],
): MetricsOptions | undefined {
  if (cli.watch) {
    // The page follows the config file wherever the listener's address comes from.
    const page = config.metrics?.reports === true ? { reportsPage: true } : {};
    if (cli.metricsListen !== undefined) {
      return { listen: cli.metricsListen, listenSource: '--metrics-listen', jobs, ...page };
    }
    const listen = config.metrics?.listen;
    return listen === undefined
      ? undefined
      : { listen, listenSource: 'metrics.listen of config.yaml', jobs, ...page };
  }
  if (cli.metricsFile === undefined) return undefined;
  // The shards of a run write their files side by side: the label tells their series apart.
  return {
    file: cli.metricsFile,
    jobs,
    ...(cli.shard === undefined ? {} : { shard: shardLabel(cli.shard) }),
  };
}
