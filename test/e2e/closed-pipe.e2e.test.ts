import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { listTags, pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { anonymousConfigYaml, CLI, createWorkspace, type Workspace } from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

/**
 * `reg-cleaner ... | head -1`: the reader of stdout (or stderr) goes away while the run goes on.
 * The run must end as any other: no stack trace, its normal exit code, the lock released and a
 * complete history.
 */
const execFileAsync = promisify(execFile);

const MANUAL = `
- name: x
  repositories: [team/app, team/api]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
`;

describe('output to a pipe that closes early', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    workspace = await createWorkspace();
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(registry.url),
      'manual.yaml': MANUAL,
    });
    for (const repository of ['team/app', 'team/api']) {
      for (let n = 1; n <= 6; n++) {
        await pushImage(registry, repository, [`dev-${String(n)}`], { created: daysAgo(10 + n) });
      }
    }
  });

  after(async () => {
    await workspace.cleanup();
    await registry.stop();
  });

  async function history(): Promise<string[]> {
    return (await readFile(join(workspace.dir, 'cache/history.log'), 'utf8')).trim().split('\n');
  }

  function assertEndedCleanly(stderr: string): void {
    assert.doesNotMatch(stderr, /EPIPE|Unhandled|^\s+at /m, stderr);
    assert.equal(existsSync(join(workspace.dir, 'cache/reg-cleaner.lock')), false, 'lock left');
  }

  it('`--dry-run | head -1` ends quietly with exit 0, the lock released, the history complete', async () => {
    const before = (await history().catch(() => [])).length;
    // PIPESTATUS[0] is the CLI's own exit status; its stderr goes to a file to be read here.
    const script = `"$NODE" "$CLI" --jobs x --dry-run 2>stderr.txt | head -1; exit "\${PIPESTATUS[0]}"`;
    const result = await execFileAsync('/bin/bash', ['-c', script], {
      cwd: workspace.dir,
      env: { PATH: process.env['PATH'] ?? '', NODE: process.execPath, CLI },
    });
    assert.equal(result.stdout.split('\n').length, 2, 'head printed one line');
    assertEndedCleanly(await readFile(join(workspace.dir, 'stderr.txt'), 'utf8'));
    const lines = (await history()).slice(before);
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0] ?? '', /job=x started \(dry run\)/);
    assert.match(lines[1] ?? '', /job=x finished \(dry run\)/);
  });

  it('a real run whose stdout and stderr readers are gone before it writes still finishes its work', async () => {
    const before = (await history()).length;
    const child = spawn(process.execPath, [CLI, '--jobs', 'x'], {
      cwd: workspace.dir,
      env: { PATH: process.env['PATH'] ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Close our ends at once: every write of the CLI, from the first one, meets a closed pipe.
    child.stdout.destroy();
    child.stderr.destroy();
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('close', (exitCode, exitSignal) => {
        resolve([exitCode, exitSignal]);
      }),
    );
    assert.deepEqual([code, signal], [0, null]);
    assertEndedCleanly('');
    const lines = (await history()).slice(before);
    assert.match(lines[0] ?? '', /job=x started/);
    assert.match(lines[1] ?? '', /job=x finished/);
    // The deletions happened: save_last 1 keeps the newest old tag of each repository.
    assert.deepEqual(await listTags(registry, 'team/app'), ['dev-1']);
    assert.deepEqual(await listTags(registry, 'team/api'), ['dev-1']);
    const log = await readFile(join(workspace.dir, 'logs/cleaner.log'), 'utf8');
    assert.doesNotMatch(log, /EPIPE/, 'a closed pipe is not a problem worth logging');
  });
});
