/**
 * Maps items through `work` with at most `limit` calls in flight, keeping the input order.
 * Used where starting everything at once would be wrong even though the registry adapter
 * has its own limiter: deletions must check the shutdown signal right before each one starts.
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
