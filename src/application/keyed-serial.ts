/**
 * Runs the work given under one key one piece after another, in the order given; work under
 * different keys runs side by side. A failure does not stop the next piece under its key.
 *
 * Two uses: two jobs of one process take turns on a repository (RunJob), and a restore never has
 * two requests on one digest at once (RestoreJobs: a registry on its filesystem driver rewrites
 * a manifest's link file in place on every PUT, so a read of that digest meanwhile can find the
 * file empty and answer 500).
 */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    // The map holds only keys with work pending.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /**
   * Runs the work once it holds every key. Keys are taken in one order (sorted), so two
   * callers that need overlapping keys never wait for each other in a circle.
   */
  runAll<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const holdFrom = (index: number): Promise<T> => {
      const key = sorted[index];
      return key === undefined ? work() : this.run(key, () => holdFrom(index + 1));
    };
    return holdFrom(0);
  }

  /** Keys with work queued or running. */
  get busyKeys(): number {
    return this.tails.size;
  }
}
