/**
 * At most `limit` tasks at once, started in the order they asked (FIFO). A run over 100k tags
 * queues 100k requests here, so a waiting task costs one closure and a queue slot, no timer
 * and no promise chain of a general-purpose scheduler.
 */
export class RequestLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private head = 0;

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) {
      this.active += 1;
    } else {
      // The slot is handed over by release(): `active` already counts this task.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  private release(): void {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head];
      this.waiting[this.head] = noop; // drop the reference now
      this.head += 1;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      next?.();
      return;
    }
    this.active -= 1;
  }
}

function noop(): void {
  // released
}
