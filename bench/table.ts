import { REQUEST_KINDS, type RequestCounts, type RequestKind } from './floor.js';

/** What the latency proxy saw of a phase's runs (medians), when they went through it. */
export interface NetworkFigures {
  /** Requests in flight, sampled in the proxy from the first request to the last answer. */
  readonly meanInFlight: number;
  /** Since the proxy's reset right before the process was spawned (ms). */
  readonly firstRequestMs: number;
  readonly lastAnswerMs: number;
}

/** One phase as summarised: medians over its runs, counts of its last run. */
export interface TablePhase {
  readonly name: string;
  readonly exitCode: number | null;
  readonly wallMs: number;
  readonly maxRssBytes: number;
  readonly cpuMs: number;
  readonly requests: RequestCounts;
  readonly requestsTotal: number;
  /** Requests per second of the cleaner's own CPU. */
  readonly requestsPerCpuSecond: number;
  /** CPU the synthetic registry spent during the run (median). */
  readonly registryCpuMs?: number;
  /** TCP connections the synthetic registry accepted during the run (last run). */
  readonly registryConnections?: number;
  readonly floor: RequestCounts;
  readonly floorTotal: number;
  readonly accessLog: { readonly counts: RequestCounts; readonly duplicates: number };
  readonly network?: NetworkFigures;
  readonly bare?: {
    readonly wallMs: number;
    readonly requestMs: number;
    readonly samplesMs: readonly number[];
    readonly statuses: Readonly<Record<string, number>>;
    readonly network?: NetworkFigures;
  };
  readonly ratioToBare?: number;
}

export interface TableInput {
  readonly registry: string;
  readonly size: string;
  readonly concurrency: number;
  readonly latencyMs?: number;
  readonly repeat: number;
  readonly machine: { readonly cores: number; readonly loadAverage1m: number };
  readonly dataset: Readonly<Record<string, number>>;
  readonly seeding: { readonly method: string; readonly ms: number };
  readonly phases: readonly TablePhase[];
  readonly registryProcess: Readonly<Record<string, unknown>>;
  readonly checks: object;
  readonly totalMs: number;
}

const SHORT: Record<RequestKind, string> = {
  probe: 'probe',
  token: 'token',
  catalog: 'catalog',
  tags: 'tags',
  'manifest-head': 'HEAD',
  'manifest-get': 'GET',
  blob: 'blob',
  referrers: 'refs',
  delete: 'DELETE',
  'blob-head': 'blob HEAD',
  'manifest-put': 'PUT',
  'blob-upload': 'upload',
};

function align(rows: readonly (readonly string[])[]): string[] {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  '),
  );
}

const seconds = (ms: number): string => (ms / 1000).toFixed(2);

export function renderTable(result: TableInput): string {
  const header = [
    'run',
    'exit',
    'seconds',
    'requests',
    'floor',
    ...REQUEST_KINDS.map((kind) => SHORT[kind]),
    'log=own',
    'dup',
    'CPU s',
    'req/CPU s',
    'RSS MB',
    'bare s',
    'ratio',
    'in flight',
    'bare in flight',
  ];
  const inFlight = (network: NetworkFigures | undefined): string =>
    network === undefined ? '-' : network.meanInFlight.toFixed(1);
  const rows = result.phases.map((phase) => [
    phase.name,
    String(phase.exitCode),
    seconds(phase.wallMs),
    String(phase.requestsTotal),
    String(phase.floorTotal),
    ...REQUEST_KINDS.map((kind) =>
      phase.requests[kind] === phase.floor[kind]
        ? String(phase.requests[kind])
        : `${String(phase.requests[kind])}/${String(phase.floor[kind])}`,
    ),
    REQUEST_KINDS.every((kind) => phase.requests[kind] === phase.accessLog.counts[kind])
      ? 'yes'
      : 'NO',
    String(phase.accessLog.duplicates),
    seconds(phase.cpuMs),
    String(phase.requestsPerCpuSecond),
    (phase.maxRssBytes / 1024 / 1024).toFixed(0),
    phase.bare === undefined ? '-' : seconds(phase.bare.wallMs),
    phase.ratioToBare === undefined ? '-' : phase.ratioToBare.toFixed(2),
    inFlight(phase.network),
    inFlight(phase.bare?.network),
  ]);
  const delayed = result.phases.flatMap((phase) =>
    phase.network === undefined
      ? []
      : [
          `${phase.name}: first request at ${seconds(phase.network.firstRequestMs)} s, last answer at ${seconds(phase.network.lastAnswerMs)} s, exit at ${seconds(phase.wallMs)} s`,
        ],
  );
  const latencyLines =
    result.latencyMs === undefined
      ? []
      : [
          `@${String(result.latencyMs)}ms: through the latency proxy (bench/latency/), each request held ${String(result.latencyMs)} ms; ` +
            'in flight: mean requests in flight sampled in the proxy, first request to last answer',
          ...delayed,
        ];
  const synthetic = result.registry === 'synthetic';
  const registryRss = result.registryProcess['maxRssBytes'];
  const registryLine = synthetic
    ? [
        `synthetic registry (own process): CPU s per run ${result.phases
          .map((phase) => `${phase.name} ${seconds(phase.registryCpuMs ?? 0)}`)
          .join(', ')}; connections per run ${result.phases
          .map((phase) => `${phase.name} ${String(phase.registryConnections ?? 0)}`)
          .join(', ')}; peak RSS ${
          typeof registryRss === 'number' ? (registryRss / 1024 / 1024).toFixed(0) : '?'
        } MB`,
      ]
    : [];
  const dataset = Object.entries(result.dataset)
    .map(([key, value]) => `${key} ${String(value)}`)
    .join(', ');
  return [
    '',
    `reg-cleaner benchmark: ${result.registry} registry, ${result.size}, concurrency ${String(result.concurrency)}, ` +
      `median of ${String(result.repeat)}, ${String(result.machine.cores)} cores, ` +
      `load ${String(result.machine.loadAverage1m)}`,
    `data set: ${dataset}`,
    `seeding (${result.seeding.method}): ${seconds(result.seeding.ms)} s`,
    '',
    ...align([header, ...rows]),
    ...registryLine,
    ...latencyLines,
    synthetic
      ? 'a/b: sent a, floor b. log=own: the synthetic registry counted what the cleaner counted.'
      : 'a/b: sent a, floor b. log=own: the registry access log counts what the cleaner counted.',
    `checks: ${JSON.stringify(result.checks)}; total ${seconds(result.totalMs)} s`,
    '',
  ].join('\n');
}
