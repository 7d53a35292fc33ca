import { REQUEST_KINDS, type RequestCounts } from './floor.js';

export interface TablePhase {
  readonly name: string;
  readonly exitCode: number | null;
  readonly wallMs: number;
  readonly maxRssBytes: number;
  readonly requests: RequestCounts;
  readonly requestsTotal: number;
  readonly floorTotal: number;
  readonly floor: RequestCounts;
  readonly accessLog: { readonly counts: RequestCounts; readonly duplicates: number };
  readonly bare?: { readonly wallMs: number };
  readonly ratioToBare?: number;
}

export interface TableInput {
  readonly size: string;
  readonly concurrency: number;
  readonly machine: { readonly cores: number };
  readonly dataset: object;
  readonly seeding: { readonly requests: number; readonly ms: number };
  readonly phases: readonly TablePhase[];
  readonly checks: object;
  readonly totalMs: number;
}

const SHORT: Record<(typeof REQUEST_KINDS)[number], string> = {
  probe: 'probe',
  token: 'token',
  catalog: 'catalog',
  tags: 'tags',
  'manifest-head': 'HEAD',
  'manifest-get': 'GET',
  blob: 'blob',
  delete: 'DELETE',
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
    'log=stats',
    'dup',
    'RSS MB',
    'bare s',
    'ratio',
  ];
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
    (phase.maxRssBytes / 1024 / 1024).toFixed(0),
    phase.bare === undefined ? '-' : seconds(phase.bare.wallMs),
    phase.ratioToBare === undefined ? '-' : phase.ratioToBare.toFixed(2),
  ]);
  return [
    '',
    `reg-cleaner benchmark (${result.size}), concurrency ${String(result.concurrency)}, ${String(result.machine.cores)} cores`,
    `data set: ${JSON.stringify(result.dataset)}`,
    `seeding: ${String(result.seeding.requests)} requests in ${seconds(result.seeding.ms)} s`,
    '',
    ...align([header, ...rows]),
    '(a count shown as a/b differs from the floor b)',
    `checks: ${JSON.stringify(result.checks)}; total ${seconds(result.totalMs)} s`,
    '',
  ].join('\n');
}
