import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listTags } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { CLI, type CliResult } from './cli-harness.js';

const DEMO_TIMEOUT_MS = 120_000;

/** `reg-cleaner demo ARGS` as a user runs it, in a scratch folder, with the given environment. */
function demo(
  args: readonly string[],
  env: Readonly<Record<string, string>> = { PATH: process.env['PATH'] ?? '' },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'demo', ...args], {
      cwd: tmpdir(),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`demo did not finish in ${DEMO_TIMEOUT_MS} ms:\n${stdout}\n${stderr}`));
    }, DEMO_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Processes whose command line mentions `text` (e.g. a registry serving the demo's folder). */
async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (commandLine.includes(text)) found.push(`${pid}: ${commandLine.split('\0').join(' ')}`);
  }
  return found;
}

function demoFolder(stdout: string): string {
  const folder = /in (\/\S*reg-cleaner-demo-[^/\s]+)\/registry\b/.exec(stdout)?.[1];
  assert.ok(folder !== undefined, `the demo names its folder:\n${stdout}`);
  return folder;
}

// Concurrent: each demo has its own folder, registry and port, and checks only its own.
describe('reg-cleaner demo', { concurrency: true }, () => {
  it('runs twice in a row: exit 0, the jobs at work, bytes freed, nothing left behind', async () => {
    const folders: string[] = [];
    for (const round of [1, 2]) {
      const result = await demo([]);
      assert.equal(result.code, 0, `round ${round}:\n${result.stdout}\n${result.stderr}`);
      const out = result.stdout;
      assert.match(out, /==> 2\. Pushed 31 tags to 3 repositories/);
      // --check-config, then the dry run's table, then the real run's.
      assert.match(
        out,
        /\$ reg-cleaner --check-config\n[\s\S]*manual\.yaml \(one-shot runs\): 3 jobs/,
      );
      assert.match(out, /\$ reg-cleaner --dry-run\n[\s\S]*WOULD DELETE/);
      assert.match(out, /\$ reg-cleaner --jobs clean-dev-tags\n[\s\S]*DELETED/);
      // The shared digest: main-9f8e7d is selected by age but kept, since latest shares it.
      assert.match(out, /main-9f8e7d\s.*KEEP\s+shared-digest/);
      // What the jobs leave (see DEMO_IMAGES and DEMO_JOBS_YAML).
      assert.match(
        out,
        /team\/web {5}1\.1\.0 1\.2\.0 1\.3\.0 dev-104 dev-105 dev-106 dev-107 dev-108 feature-dark-mode latest\n/,
      );
      assert.match(out, /team\/api {5}2\.1\.0 2\.2\.0 2\.3\.0 dev-56 dev-57 dev-58 latest\n/);
      assert.match(out, /team\/worker {2}feature-retry-queue latest main-9f8e7d\n/);
      const freed =
        /storage: .* before, .* after: ([\d.]+) (kB|MB) freed \((\d+) blobs deleted\)/.exec(out);
      assert.ok(freed !== null, out);
      assert.ok(Number(freed[3]) > 0 && freed[2] === 'MB' && Number(freed[1]) > 1, freed[0]);
      const folder = demoFolder(out);
      folders.push(folder);
      assert.equal(existsSync(folder), false, `${folder} should be removed`);
      assert.deepEqual(await processesMentioning(folder), [], 'a process of the demo is left');
    }
    assert.notEqual(folders[0], folders[1]);
  });

  it('--keep keeps the folder, with the records of both runs, and stops the registry', async () => {
    const result = await demo(['--keep']);
    assert.equal(result.code, 0, result.stderr);
    const folder = demoFolder(result.stdout);
    try {
      assert.deepEqual(await processesMentioning(folder), []);
      const history = await readFile(join(folder, 'cache/history.log'), 'utf8');
      assert.equal(history.trim().split('\n').length, 12, history); // 3 jobs x 2 runs x 2 lines
      assert.ok(existsSync(join(folder, 'config/manual.yaml')));
      assert.ok(existsSync(join(folder, 'logs/cleaner.log')));
      assert.match(result.stdout, new RegExp(`${folder} is kept`));
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('without docker-registry: a one-line install hint, exit 1, no stack trace', async () => {
    const emptyPath = await mkdtemp(join(tmpdir(), 'reg-cleaner-no-registry-'));
    try {
      const result = await demo([], { PATH: emptyPath });
      assert.equal(result.code, 1);
      assert.equal(result.stdout, '');
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(
        lines[0] ?? '',
        /docker-registry is not installed: sudo apt-get install -y docker-registry/,
      );
    } finally {
      await rm(emptyPath, { recursive: true, force: true });
    }
  });

  it('a usage mistake exits 2', async () => {
    const result = await demo(['--seed', 'not-a-url']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--seed needs the registry's URL/);
  });
});

describe('reg-cleaner demo --seed URL (the Quick start\'s "push a few images")', () => {
  let registry: RunningRegistry;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
  });

  after(async () => {
    await registry.stop();
  });

  it('pushes the demo images to an existing registry and prints the demo jobs', async () => {
    const result = await demo(['--seed', registry.url]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Pushed 31 tags to team\/web, team\/api, team\/worker/);
    assert.match(result.stdout, /- name: clean-dev-tags/);
    const web = await listTags(registry, 'team/web');
    assert.equal(web.length, 16);
    assert.ok(web.includes('latest') && web.includes('dev-101'));
    assert.equal((await listTags(registry, 'team/api')).length, 9);
    assert.equal((await listTags(registry, 'team/worker')).length, 6);
  });
});
