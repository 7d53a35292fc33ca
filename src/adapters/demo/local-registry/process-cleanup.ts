import type { ChildProcess } from 'node:child_process';

// Synchronous clean-ups to run when the process exits, for resources whose owner could not call
// stop() (a test that forgot, the demo ended by an error): a registry must not outlive its
// parent, and its temp dir should go too. ('exit' handlers cannot await; process.kill and
// fs.rmSync are synchronous.) A process killed by a signal never runs them: registry-process.ts
// also asks the kernel for a parent-death signal for that case.
const cleanups = new Set<() => void>();
let exitHookInstalled = false;

function runCleanups(): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // Best effort at exit: one failing clean-up must not skip the others.
    }
  }
  cleanups.clear();
}

/** Registers `cleanup` to run at process exit; call the returned function once it ran normally. */
export function onProcessExit(cleanup: () => void): () => void {
  if (!exitHookInstalled) {
    process.once('exit', runCleanups);
    exitHookInstalled = true;
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/**
 * Ends a child we started: SIGTERM (unless it already exited), then SIGKILL if it is still
 * there after 5 s; resolves once `exited` (the child's exit) has.
 */
export async function terminate(
  child: ChildProcess,
  exited: Promise<void>,
  alreadyExited: boolean,
): Promise<void> {
  if (!alreadyExited) child.kill('SIGTERM');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(killTimer);
}
