/** What a waiting job may hold back before it is printed anyway (bounded memory). */
export const HELD_LIMIT_CHARS = 8_000_000;

interface Turn {
  readonly job: string;
  readonly held: string[];
  heldChars: number;
  finished: boolean;
}

/**
 * Jobs that run at the same time take turns on the console (issue 27, item 7): the job that
 * started first prints as it goes; the others' text is held and printed, whole, when the jobs
 * before them are done. Each job's table then reads in one piece, never mixed with another's.
 * A job holding more than `limit` characters (a huge run waiting behind another) is printed
 * at once instead: memory stays bounded, and each block still names its job.
 */
export class ConsoleTurns {
  /** In start order; the first is the one printing. */
  private readonly queue: Turn[] = [];

  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly limit = HELD_LIMIT_CHARS,
  ) {}

  start(job: string, text: string): void {
    this.queue.push({ job, held: [], heldChars: 0, finished: false });
    this.write(job, text);
  }

  write(job: string, text: string): void {
    const turn = this.queue.find((candidate) => candidate.job === job && !candidate.finished);
    if (turn === undefined || turn === this.queue[0]) {
      this.out.write(text);
      return;
    }
    turn.held.push(text);
    turn.heldChars += text.length;
    if (turn.heldChars > this.limit) this.release(turn);
  }

  /** The job's last text; the next job in line prints what it held and goes on live. */
  finish(job: string, text: string): void {
    const turn = this.queue.find((candidate) => candidate.job === job && !candidate.finished);
    this.write(job, text);
    if (turn === undefined) return;
    turn.finished = true;
    while (this.firstHasFinished()) {
      this.queue.shift();
      const next = this.queue[0];
      if (next !== undefined) this.release(next);
    }
  }

  private firstHasFinished(): boolean {
    return this.queue[0]?.finished === true;
  }

  private release(turn: Turn): void {
    if (turn.held.length > 0) this.out.write(turn.held.join(''));
    turn.held.length = 0;
    turn.heldChars = 0;
  }
}
