import { injectable } from 'inversify';

/** What a request is for; the benchmark compares these counts with registry-v2.md "Minimal work". */
export type RequestKind =
  | 'probe'
  | 'token'
  | 'catalog'
  | 'tags'
  | 'manifest-head'
  | 'manifest-get'
  | 'blob'
  | 'delete'
  /** A restore's requests (issue 16): blob existence checks and manifest PUTs. */
  | 'blob-head'
  | 'manifest-put'
  /** Accessories (issue 21): the OCI referrers API. */
  | 'referrers'
  /** Removing a tag alone (issue 21): the placeholder's blob uploads (POST and PUT). */
  | 'blob-upload';

export const REQUEST_KINDS: readonly RequestKind[] = [
  'probe',
  'token',
  'catalog',
  'tags',
  'manifest-head',
  'manifest-get',
  'blob',
  'delete',
  'blob-head',
  'manifest-put',
  'referrers',
  'blob-upload',
];

export type RequestCounts = Readonly<Record<RequestKind, number>>;

/** One HTTP attempt that ended, as request metrics see it (issue 12). */
export interface RequestOutcome {
  readonly kind: RequestKind;
  readonly method: string;
  /** The HTTP status, or the transport failure's code (DEADLINE, ECONNRESET...) when none came. */
  readonly status: string;
  readonly durationSeconds: number;
}

export type RequestListener = (outcome: RequestOutcome) => void;

/**
 * Requests sent by one HttpDockerRegistry, by kind. Every HTTP request that leaves the process
 * counts, retries and redirect hops included; `retries` counts the repeated attempts alone.
 * One instance per process (a singleton binding), shared by the registry client and metrics.
 */
@injectable()
export class RequestStats {
  private readonly counts = new Map<RequestKind, number>();
  private retryCount = 0;
  private readonly listeners: RequestListener[] = [];

  recordRequest(kind: RequestKind): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  /** Hands each ended attempt to the listeners (metrics); counting stays with recordRequest. */
  recordOutcome(outcome: RequestOutcome): void {
    for (const listener of this.listeners) listener(outcome);
  }

  onOutcome(listener: RequestListener): void {
    this.listeners.push(listener);
  }

  recordRetry(): void {
    this.retryCount += 1;
  }

  get retries(): number {
    return this.retryCount;
  }

  count(kind: RequestKind): number {
    return this.counts.get(kind) ?? 0;
  }

  get total(): number {
    let total = 0;
    for (const value of this.counts.values()) {
      total += value;
    }
    return total;
  }

  snapshot(): RequestCounts {
    const entries = REQUEST_KINDS.map((kind) => [kind, this.count(kind)] as const);
    return Object.fromEntries(entries) as Record<RequestKind, number>;
  }

  reset(): void {
    this.counts.clear();
    this.retryCount = 0;
  }
}
