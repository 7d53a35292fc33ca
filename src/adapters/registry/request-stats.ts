/** What a request is for; the benchmark compares these counts with registry-v2.md "Minimal work". */
export type RequestKind =
  'probe' | 'token' | 'catalog' | 'tags' | 'manifest-head' | 'manifest-get' | 'blob' | 'delete';

export const REQUEST_KINDS: readonly RequestKind[] = [
  'probe',
  'token',
  'catalog',
  'tags',
  'manifest-head',
  'manifest-get',
  'blob',
  'delete',
];

export type RequestCounts = Readonly<Record<RequestKind, number>>;

/**
 * Requests sent by one HttpDockerRegistry, by kind. Every HTTP request that leaves the process
 * counts, retries and redirect hops included; `retries` counts the repeated attempts alone.
 */
export class RequestStats {
  private readonly counts = new Map<RequestKind, number>();
  private retryCount = 0;

  recordRequest(kind: RequestKind): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
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
