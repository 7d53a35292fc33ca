/**
 * Maps items through `work` with at most `limit` calls in flight, keeping the input order.
 * Used where starting everything at once would be wrong even though the registry adapter
 * has its own request gate: deletions must check the shutdown signal right before each one.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Reports how much work an item turned out to be, once it knows (e.g. its tag count), and
 * resolves when the item may go on with that much: at once while it fits, else after earlier
 * items have finished. Called more than once, a smaller weight takes effect at once.
 */
export type Weigh = (weight: number) => Promise<void>;

export interface PipelineLimits {
  /** Items in flight at most, whatever their weight. */
  readonly items: number;
  /** Items go on only while the weights of those that went on add up to at most this much. */
  readonly weight: number;
}

interface Waiting {
  readonly weight: number;
  readonly admit: () => void;
}

/**
 * Streams items through `work` (which must not reject) in input order. Up to `limits.items`
 * items start (an item is light until it weighs itself: e.g. a repository whose tag list is
 * being read); one that weighs itself waits until its weight fits under `limits.weight` beside
 * the others that went on (first come, first served; an item heavier than the limit goes on
 * alone). This keeps enough work under way to fill the request gate without holding every
 * item's data at once: the bound holds whatever the items' sizes (issue 9: starting 32
 * repositories of 1,000 tags at once held 32,000 tags in memory).
 */
export function forEachBounded<T>(
  items: readonly T[],
  limits: PipelineLimits,
  work: (item: T, weigh: Weigh) => Promise<void>,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let next = 0;
    let active = 0;
    /** The sum of the weights of the items that went on. */
    let admitted = 0;
    const waiting: Waiting[] = [];
    const fits = (weight: number): boolean => admitted === 0 || admitted + weight <= limits.weight;
    const admitWaiting = (): void => {
      while (waiting.length > 0 && fits((waiting[0] as Waiting).weight)) {
        const first = waiting.shift() as Waiting;
        admitted += first.weight;
        first.admit();
      }
    };
    const pump = (): void => {
      while (next < items.length && active < limits.items && admitted < limits.weight) {
        const item = items[next] as T;
        next += 1;
        active += 1;
        /** What this item added to `admitted`; 0 until it weighed itself and went on. */
        let own = 0;
        let weighed = false;
        let queued: Waiting | undefined;
        const weigh: Weigh = (weight) => {
          if (weighed) {
            // Later calls only make an item lighter (or keep its share): no waiting.
            if (weight < own) {
              admitted -= own - weight;
              own = weight;
              admitWaiting();
              pump();
            }
            return Promise.resolve();
          }
          weighed = true;
          return new Promise<void>((admit) => {
            const enter = (): void => {
              own = weight;
              admit();
            };
            if (waiting.length === 0 && fits(weight)) {
              admitted += weight;
              enter();
            } else {
              queued = { weight, admit: enter };
              waiting.push(queued);
            }
          });
        };
        work(item, weigh).then(() => {
          active -= 1;
          // An item that ended without waiting for its turn gives the turn up.
          const place = queued === undefined ? -1 : waiting.indexOf(queued);
          if (place >= 0) waiting.splice(place, 1);
          admitted -= own;
          own = 0;
          admitWaiting();
          if (next >= items.length && active === 0) resolve();
          else pump();
        }, reject);
      }
    };
    if (items.length === 0) resolve();
    else pump();
  });
}
