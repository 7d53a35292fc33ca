/** The part of a stdout/stderr stream this module needs (a fake in tests). */
export interface OutputStream {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * `reg-cleaner --dry-run | head -1`: once `head` has exited, the next write to stdout fails with
 * EPIPE, and Node raises it as an 'error' event that, unhandled, kills the process with a stack
 * trace in the middle of a run (lock left behind, history cut short). A reader that went away
 * only means nobody reads the output any more: the stream is ignored from then on (Node drops
 * writes to a destroyed stream) and the run goes on to its end, so state, history and the lock
 * are handled as in any other run. Any other write error (a full disk behind `> file`) is
 * reported once through `onOtherError` and treated the same way: a run never dies of its output.
 */
export function ignoreClosedOutput(
  streams: readonly OutputStream[],
  onOtherError: (error: Error) => void = () => undefined,
): void {
  for (const stream of streams) {
    let reported = false;
    stream.on('error', (error) => {
      if (isClosedPipe(error) || reported) return;
      reported = true;
      onOtherError(error);
    });
  }
}

function isClosedPipe(error: Error): boolean {
  const code = 'code' in error ? error.code : undefined;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}
