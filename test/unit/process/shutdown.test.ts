import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { installShutdown, type Shutdown } from '../../../src/adapters/process/shutdown.js';

describe('graceful shutdown', () => {
  let shutdown: Shutdown | undefined;
  afterEach(() => {
    shutdown?.dispose();
  });

  function install(graceMs = 60_000) {
    const exits: number[] = [];
    const firsts: string[] = [];
    shutdown = installShutdown({
      graceMs,
      forcedExitCode: (signal) => (signal === 'SIGINT' ? 130 : 143),
      onFirstSignal: (signal) => firsts.push(signal),
      exit: (code) => exits.push(code),
    });
    return { shutdown, exits, firsts };
  }

  it('the first signal aborts the run and does not exit', () => {
    const { shutdown: installed, exits, firsts } = install();
    process.emit('SIGTERM', 'SIGTERM');
    assert.equal(installed.signal.aborted, true);
    assert.equal(installed.received(), 'SIGTERM');
    assert.deepEqual(firsts, ['SIGTERM']);
    assert.deepEqual(exits, []);
  });

  it('a second signal exits at once', () => {
    const { exits } = install();
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    assert.deepEqual(exits, [130]);
  });

  it('the grace period ends the process when in-flight work takes too long', async () => {
    const { exits } = install(1);
    process.emit('SIGTERM', 'SIGTERM');
    await new Promise<void>((resolve) => {
      const poll = (): void => {
        if (exits.length > 0) resolve();
        else setImmediate(poll);
      };
      poll();
    });
    assert.deepEqual(exits, [143]);
  });

  it('dispose removes its signal handlers', () => {
    const before = process.listenerCount('SIGTERM');
    const { shutdown: installed } = install();
    assert.equal(process.listenerCount('SIGTERM'), before + 1);
    installed.dispose();
    assert.equal(process.listenerCount('SIGTERM'), before);
  });
});

describe('forced exit', () => {
  it('runs its last words before exiting, once, with the cause', () => {
    const calls: string[] = [];
    const installed = installShutdown({
      graceMs: 60_000,
      forcedExitCode: () => 130,
      onFirstSignal: () => undefined,
      beforeForcedExit: (signal, cause) => calls.push(`${signal} ${cause}`),
      exit: (code) => calls.push(`exit ${String(code)}`),
    });
    try {
      process.emit('SIGINT', 'SIGINT');
      process.emit('SIGINT', 'SIGINT');
      process.emit('SIGINT', 'SIGINT');
      assert.deepEqual(calls, ['SIGINT second signal', 'exit 130']);
    } finally {
      installed.dispose();
    }
  });
});
