/** A fixed-size set of small integers: the synthetic registry's only per-request state. */
export class BitSet {
  private readonly words: Uint32Array;

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  has(index: number): boolean {
    return ((this.words[index >>> 5] ?? 0) & (1 << (index & 31))) !== 0;
  }

  add(index: number): void {
    const word = index >>> 5;
    this.words[word] = (this.words[word] ?? 0) | (1 << (index & 31));
  }

  /** Adds `index`; true when it was already there. */
  testAndAdd(index: number): boolean {
    const seen = this.has(index);
    if (!seen) this.add(index);
    return seen;
  }

  clear(): void {
    this.words.fill(0);
  }

  get bytes(): number {
    return this.words.byteLength;
  }
}
