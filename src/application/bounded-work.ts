/**
 * Maps items through `work` with at most `limit` calls in flight, keeping the input order.
 * Used where starting everything at once would be wrong even though the registry adapter
 * has its own request gate: deletions must check the shutdown signal right before each one.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Reports how much work an item turned out to be, once it knows (e.g. its tag count). */
export type Weigh = (weight: number) => void;

export interface PipelineLimits {
  /** Items in flight at most, whatever their weight. */
  readonly items: number;
  /** No new item starts while the weights in flight add up to this much. */
  readonly weight: number;
}

/**
 * Streams items through `work` (which must not reject) in input order, starting a new one
 * only while both limits hold. An item weighs 1 until it weighs itself. This keeps enough
 * work under way to fill the request gate without holding every item's data at once.
 */
export function forEachBounded<T>(
  items: readonly T[],
  limits: PipelineLimits,
  work: (item: T, weigh: Weigh) => Promise<void>,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let next = 0;
    let active = 0;
    let weightInFlight = 0;
    const pump = (): void => {
      while (next < items.length && active < limits.items && weightInFlight < limits.weight) {
        const item = items[next] as T;
        next += 1;
        active += 1;
        let own = 1;
        weightInFlight += own;
        const weigh: Weigh = (weight) => {
          weightInFlight += weight - own;
          own = weight;
          pump();
        };
        work(item, weigh).then(() => {
          active -= 1;
          weightInFlight -= own;
          own = 0;
          if (next >= items.length && active === 0) resolve();
          else pump();
        }, reject);
      }
    };
    if (items.length === 0) resolve();
    else pump();
  });
}
