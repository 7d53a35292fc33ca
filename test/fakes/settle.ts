/**
 * Lets pending promise chains run (no timers involved) until `done` holds, or fails after a
 * bounded number of event-loop turns. Without `done` it simply drains the given number of
 * turns. This is not a sleep: nothing waits for wall-clock time.
 */
export async function settle(done?: () => boolean, turns = 200): Promise<void> {
  for (let turn = 0; turn < turns; turn++) {
    if (done?.() === true) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (done !== undefined && !done()) {
    throw new Error(`condition not reached after ${String(turns)} event-loop turns`);
  }
}
