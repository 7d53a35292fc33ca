// Synchronous clean-ups to run when the test process exits, for resources whose owner forgot
// stop(): a registry must not outlive the test process, and its temp dir should go too.
// ('exit' handlers cannot await; process.kill and fs.rmSync are synchronous.) A test process
// killed by a signal never runs them: registry-server.ts also asks the kernel for a
// parent-death signal for that case.
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
