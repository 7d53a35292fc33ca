/** Where text for the terminal goes: process.stdout / process.stderr, a buffer in tests. */
export interface TextSink {
  write(text: string): unknown;
}

/** A display that owns the terminal's last line (the progress bar) while it is shown. */
export interface LiveDisplay {
  /** Wipes the display's line, so that the next write starts on a clean line. */
  clear(): void;
  /** Draws the display again below what was written. */
  redraw(): void;
}

/**
 * Everything written to the terminal while a live progress display is shown passes here: the
 * display steps aside (clears its line), the log line or table is written, and the display is
 * drawn again below it. Without a display, writes go straight through.
 */
export class ConsoleLines {
  private display: LiveDisplay | undefined;

  show(display: LiveDisplay): void {
    this.display = display;
  }

  hide(display: LiveDisplay): void {
    if (this.display === display) this.display = undefined;
  }

  write(sink: TextSink, text: string): void {
    const display = this.display;
    if (display === undefined) {
      sink.write(text);
      return;
    }
    display.clear();
    sink.write(text);
    display.redraw();
  }
}

/** The process's terminal: one per process, like the terminal itself. */
export const consoleLines = new ConsoleLines();
