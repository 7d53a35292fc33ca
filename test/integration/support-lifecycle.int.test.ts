import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isProcessRunning, waitForProcessGone } from '../support/process-state.js';

interface Forgotten {
  pid: number;
  url: string;
  storageDir: string;
}

const FORGETFUL = fileURLToPath(new URL('../support/forgetful-process.js', import.meta.url));

/** Runs forgetful-process.js and resolves with what it printed once its registry is up. */
function startForgetfulProcess(mode: 'exit' | 'hang') {
  const child = spawn(process.execPath, [FORGETFUL, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const started = new Promise<Forgotten>((resolve, reject) => {
    child.once('error', reject);
    createInterface({ input: child.stdout }).once('line', (line) => {
      resolve(JSON.parse(line) as Forgotten);
    });
    void exited.then(() => {
      reject(new Error('forgetful process exited before printing its registry'));
    });
  });
  return { child, started, exited };
}

describe('test support: a forgotten registry does not outlive the test process', () => {
  it('is killed and its temp dir removed when the process exits normally', async () => {
    const { started, exited } = startForgetfulProcess('exit');
    const forgotten = await started;
    // Nothing the support holds keeps the event loop alive, so the process ends by itself.
    assert.equal(await exited, 0);
    assert.equal(await waitForProcessGone(forgotten.pid, 5_000), true);
    assert.equal(existsSync(forgotten.storageDir), false);
    await assert.rejects(fetch(`${forgotten.url}/v2/`));
  });

  it('is killed by the parent-death signal when the process is SIGKILLed', async () => {
    const { child, started, exited } = startForgetfulProcess('hang');
    const forgotten = await started;
    assert.equal(await isProcessRunning(forgotten.pid), true);
    child.kill('SIGKILL');
    await exited;
    assert.equal(await waitForProcessGone(forgotten.pid, 5_000), true);
    await assert.rejects(fetch(`${forgotten.url}/v2/`));
    // A SIGKILLed process runs no clean-up, so its temp dir is left behind: remove it here.
    await rm(dirname(forgotten.storageDir), { recursive: true, force: true });
  });
});
