/**
 * At most `limit` tasks at once, started in the order they asked (FIFO). A run over 100k tags
 * queues 100k tasks here, so a waiting task costs one promise and one closure: no timer, no
 * suspended async function, no promise chain of a general-purpose scheduler.
 */
export class RequestLimiter {
  private active = 0;
  /** Called with no argument when the slot is theirs, with an error when dropped. */
  private readonly waiting: ((dropped?: Error) => void)[] = [];
  private head = 0;

  constructor(private readonly limit: number) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) {
      this.active += 1;
      return this.start(task);
    }
    return new Promise<T>((resolve, reject) => {
      // The slot is handed over by release(): `active` already counts this task then.
      this.waiting.push((dropped) => {
        if (dropped === undefined) this.start(task).then(resolve, reject);
        else reject(dropped);
      });
    });
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  /**
   * Rejects every task still waiting for a slot with `error`, without starting it (shutdown:
   * nothing queued may reach the wire). Tasks already started are not touched.
   */
  dropWaiting(error: Error): void {
    const dropped = this.waiting.splice(this.head);
    this.waiting.length = 0;
    this.head = 0;
    for (const waiter of dropped) waiter(error);
  }

  private start<T>(task: () => Promise<T>): Promise<T> {
    let promise: Promise<T>;
    try {
      promise = task();
    } catch (error) {
      promise = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return promise.finally(() => {
      this.release();
    });
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

/** The binding of the request gate: the RequestLimiter of `max_concurrent_requests`. */
export const RequestGate = Symbol('RequestGate');
