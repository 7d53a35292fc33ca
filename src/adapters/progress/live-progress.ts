import { createRequire } from 'node:module';
import { clearLine, cursorTo } from 'node:readline';
import type cliProgressModule from 'cli-progress';
import type { GenericBar, MultiBar } from 'cli-progress';
import type { LiveDisplay } from '../shared/text/console-lines.js';
import { liveLine, type ProgressFigures } from './progress-figures.js';

/** A terminal stream: process.stderr, or a stand-in with isTTY in tests. */
export type TerminalStream = NodeJS.WritableStream & {
  readonly isTTY?: boolean;
  readonly columns?: number;
};

const BAR_SIZE = 20;
/** Redraws per second: the request count moves all the time, the repositories seldom. */
const FPS = 5;

/**
 * The progress line on a terminal, drawn by cli-progress. A MultiBar with a single bar,
 * because a SingleBar saves and restores the cursor position, which lands on the wrong line
 * once the table on stdout has scrolled the screen; the container only moves up by the lines
 * it drew. It owns the last line of the terminal until stop(), which wipes it.
 */
export class LiveProgress implements LiveDisplay {
  private readonly multibar: MultiBar;
  private readonly bar: GenericBar;

  constructor(
    private readonly stream: TerminalStream,
    figures: () => ProgressFigures,
    total: number,
  ) {
    // Loaded here, on a terminal only: a run without one (cron, CI, the benchmark) never needs
    // it, and loading it cost every start about 15 ms of CPU (issue 9).
    const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressModule;
    this.multibar = new cliProgress.MultiBar({
      stream,
      fps: FPS,
      // Drawn again after every line another writer printed over it (ConsoleLines).
      forceRedraw: true,
      clearOnComplete: true,
      // No bar drawn full before any total is known.
      emptyOnZero: true,
      // Leave the terminal's modes alone (cursor shown, wrapping on): a killed process must not
      // leave them changed. The line is cut to the width instead.
      hideCursor: false,
      linewrap: true,
      format: (_options, params) =>
        liveLine(figures(), { progress: params.progress, size: BAR_SIZE, etaSeconds: params.eta })
          // One column short of the width: a full line would wrap on some terminals.
          .slice(0, Math.max(10, params.maxWidth - 1)),
    });
    this.bar = this.multibar.create(total, 0);
    // The container draws on its first timer tick; a short run would show nothing at all.
    this.multibar.update();
  }

  /** Repositories done out of the total known so far (jobs may start later). */
  progress(done: number, total: number): void {
    this.bar.setTotal(total);
    this.bar.update(done);
  }

  clear(): void {
    clearLine(this.stream, 0);
    cursorTo(this.stream, 0);
  }

  redraw(): void {
    this.multibar.update();
  }

  stop(): void {
    this.multibar.stop();
  }
}
