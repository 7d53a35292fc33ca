/**
 * A Map bounded to `limit` entries that forgets the least recently used one first. Iteration
 * goes from least to most recently used, so writing entries in that order and adding them back
 * in that order keeps the recency across processes.
 *
 * Until the map holds more than `orderFrom` entries, get() leaves the order alone: the order
 * only decides what is forgotten once the limit is reached, and moving an entry (delete, then
 * add) leaves a hole that V8 keeps in the Map's table until the table is rebuilt, so a run that
 * read each of 20,000 entries once doubled the table (0.9 -> 1.8 MB) of every map it read
 * (issue 25). set() always puts its entry last.
 */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(
    readonly limit: number,
    private readonly orderFrom = 0,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** The value, now the most recently used (once the map holds more than `orderFrom`). */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined && this.map.size > this.orderFrom) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  /** The value, recency unchanged. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.limit) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }
}
