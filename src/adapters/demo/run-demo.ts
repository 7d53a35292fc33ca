import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DEMO_IMAGES,
  DEMO_JOB_NAMES,
  DEMO_JOBS_YAML,
  DEMO_REPOSITORIES,
  pushDemoImages,
} from './demo-images.js';
import { createAgent } from './image-push/http-request.js';
import { AnonymousPushClient } from './image-push/push-client.js';
import { listTags } from './image-push/push-image.js';
import { launchOnFreePort, type LaunchedRegistry } from './local-registry/launch-on-free-port.js';
import { onProcessExit } from './local-registry/process-cleanup.js';
import { REGISTRY_BINARY } from './local-registry/registry-process.js';
import { requireRegistryBinary } from './registry-binary.js';
import { formatBytes } from '../shared/text/numbers.js';
import { storageBytes } from './storage-size.js';

export interface DemoOptions {
  /** The CLI's own entry point (dist/main.js): the demo runs it as a user would. */
  readonly cliScript: string;
  /** Keep the demo folder (config, state, logs, registry storage) instead of removing it. */
  readonly keep: boolean;
  readonly out: { write(text: string): unknown };
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM: the step under way is stopped and everything is cleaned up. */
  readonly signal: AbortSignal;
}

/** A step of the demo did not succeed; the message says which and how it ended. */
export class DemoStepFailed extends Error {
  override readonly name = 'DemoStepFailed';
}

/** Thrown between steps once the demo was asked to stop. */
export class DemoStopped extends Error {
  override readonly name = 'DemoStopped';
}

const execFileAsync = promisify(execFile);

/**
 * The whole demo: a throw-away registry in a temp folder, the demo images, a config folder,
 * `--check-config`, a dry run, a real run, the garbage collector and the disk space it freed.
 * Whatever happens, the registry is stopped and (without `keep`) the folder removed.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const { out, signal } = options;
  const say = (text = ''): void => {
    out.write(`${text}\n`);
  };
  requireRegistryBinary(
    REGISTRY_BINARY,
    options.env,
    options.env['REG_CLEANER_REGISTRY_BIN'] !== undefined,
  );
  const dir = await mkdtemp(join(tmpdir(), 'reg-cleaner-demo-'));
  const forgetDir = options.keep
    ? () => undefined
    : onProcessExit(() => {
        rmSync(dir, { recursive: true, force: true });
      });
  const agent = createAgent({ https: false, ca: undefined });
  let launched: LaunchedRegistry | undefined;
  let client: AnonymousPushClient | undefined;
  try {
    say('reg-cleaner demo: a throw-away registry, realistic images, then reg-cleaner at work.');
    const registryDir = join(dir, 'registry');
    const storageDir = join(registryDir, 'storage');
    await mkdir(registryDir);
    launched = await launchOnFreePort({
      dir: registryDir,
      storageDir,
      deleteEnabled: true,
      auth: { kind: 'none' },
      agent,
      stdout: 'ignore',
    });
    say();
    say(`==> 1. A registry (${REGISTRY_BINARY}, deletion enabled) on ${launched.url}`);
    say(`       in ${registryDir}`);

    stopIfAsked(signal);
    client = new AnonymousPushClient(launched.url);
    const tags = await pushDemoImages(client, new Date());
    const seeded = await storageBytes(storageDir);
    say();
    say(
      `==> 2. Pushed ${tags} tags to ${DEMO_REPOSITORIES.length} repositories through the Registry HTTP API (${formatBytes(seeded)} on disk):`,
    );
    for (const line of describeDemoImages()) say(`       ${line}`);

    stopIfAsked(signal);
    const configDir = join(dir, 'config');
    await mkdir(configDir);
    await writeFile(join(configDir, 'config.yaml'), `registry_url: ${launched.url}\n`);
    await writeFile(join(configDir, 'manual.yaml'), DEMO_JOBS_YAML);
    say();
    say(
      `==> 3. A config folder for it, ${configDir}: config.yaml (the registry), manual.yaml (the jobs)`,
    );
    say(`       The commands below run in ${dir}.`);
    await runCli(options, dir, ['--check-config']);

    say();
    say('==> 4. The dry run: what each job would delete, and why. Nothing is deleted.');
    await runCli(options, dir, ['--dry-run']);
    say(
      `       Its records: ${join(dir, 'cache', 'latest_cleanup.json')}, cache/history.log, logs/cleaner.log`,
    );

    say();
    say('==> 5. The real run, one job after the other.');
    // Not `reg-cleaner` with every job at once: jobs run concurrently, and one that deletes a
    // tag while another job over the same repository reads that tag's digest makes the other
    // fail ("digest could not be read"). The demo's jobs share repositories, as real ones do.
    for (const job of DEMO_JOB_NAMES) await runCli(options, dir, ['--jobs', job]);
    say('       Left in the registry:');
    for (const repository of DEMO_REPOSITORIES) {
      const left = sortTags(await listTags(client, repository));
      say(`         ${repository.padEnd(12)} ${left.join(' ')}`);
    }

    stopIfAsked(signal);
    say();
    say("==> 6. The registry's garbage collector frees the disk (with the registry stopped).");
    await launched.registry.stop();
    const before = await storageBytes(storageDir);
    say(`$ ${REGISTRY_BINARY} garbage-collect ${launched.configFile}`);
    const deletedBlobs = await garbageCollect(launched.configFile);
    const after = await storageBytes(storageDir);
    say(
      `       storage: ${formatBytes(before)} before, ${formatBytes(after)} after: ${formatBytes(before - after)} freed (${deletedBlobs} blobs deleted)`,
    );
    say();
    say(
      options.keep
        ? `Done. The registry is stopped; ${dir} is kept: config/, cache/, logs/ and registry/ (start it again with ${REGISTRY_BINARY} serve ${launched.configFile}).`
        : `Done. The registry is stopped and ${dir} removed (reg-cleaner demo --keep keeps it).`,
    );
  } finally {
    client?.close();
    agent.destroy();
    await launched?.registry.stop();
    if (!options.keep) await rm(dir, { recursive: true, force: true });
    forgetDir();
  }
}

function stopIfAsked(signal: AbortSignal): void {
  if (signal.aborted) throw new DemoStopped('stopped');
}

/** Runs `reg-cleaner ARGS` in the demo folder, its output going straight to ours. */
async function runCli(options: DemoOptions, cwd: string, args: readonly string[]): Promise<void> {
  stopIfAsked(options.signal);
  options.out.write(`$ ${['reg-cleaner', ...args].join(' ')}\n`);
  const child: ChildProcess = spawn(process.execPath, [options.cliScript, ...args], {
    cwd,
    env: options.env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // A signal sent to the demo alone (not to its whole process group) reaches the run too.
  const forward = (): void => {
    child.kill('SIGTERM');
  };
  options.signal.addEventListener('abort', forward);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
      (resolve, reject) => {
        child.once('error', reject);
        child.once('close', (exitCode, exitSignal) => {
          resolve([exitCode, exitSignal]);
        });
      },
    );
    stopIfAsked(options.signal);
    if (code !== 0) {
      throw new DemoStepFailed(
        `${['reg-cleaner', ...args].join(' ')} ended with ${code === null ? String(signal) : `exit code ${code}`}`,
      );
    }
  } finally {
    options.signal.removeEventListener('abort', forward);
  }
}

/** `docker-registry garbage-collect`; returns how many blobs it deleted. */
async function garbageCollect(configFile: string): Promise<number> {
  try {
    const { stdout } = await execFileAsync(REGISTRY_BINARY, ['garbage-collect', configFile], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout.split('\n').filter((line) => line.startsWith('blob eligible for deletion'))
      .length;
  } catch (error) {
    const output = error instanceof Error && 'stderr' in error ? String(error.stderr) : '';
    throw new DemoStepFailed(
      `${REGISTRY_BINARY} garbage-collect failed: ${error instanceof Error ? error.message : String(error)}\n${output}`,
    );
  }
}

/** One line per repository: its tags in push order, `a+b` for tags that share an image. */
function describeDemoImages(): string[] {
  return DEMO_REPOSITORIES.map((repository) => {
    const images = DEMO_IMAGES.filter((image) => image.repository === repository);
    const tags = images.map(
      (image) => `${image.tags.join('+')}${image.platforms === undefined ? '' : '*'}`,
    );
    return `${repository.padEnd(12)} ${tags.join(' ')}`;
  }).concat(['(* multi-arch: amd64 and arm64; created from 400 days ago to today)']);
}

/** Versions and names in a stable, readable order (dev-9 before dev-10). */
function sortTags(tags: readonly string[]): string[] {
  return [...tags].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
