import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';

/** The built CLI, as users run it. */
export const CLI = resolve(process.cwd(), 'dist/main.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A working folder with config/, where cache/ and logs/ appear, removed by cleanup(). */
export interface Workspace {
  readonly dir: string;
  readonly configDir: string;
  writeConfig(files: Readonly<Record<string, string>>): Promise<void>;
  /** `timeoutMs` (default 60 s): for runs of hundreds of repositories on a busy machine. */
  run(
    args: readonly string[],
    env?: Readonly<Record<string, string>>,
    timeoutMs?: number,
  ): Promise<CliResult>;
  spawn(args: readonly string[], env?: Readonly<Record<string, string>>): RunningCli;
  cleanup(): Promise<void>;
}

export interface RunningCli {
  readonly child: ChildProcess;
  readonly result: Promise<CliResult>;
  /** Resolves once stdout or stderr has shown text matching `pattern`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

const RUN_TIMEOUT_MS = 60_000;

export async function createWorkspace(): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'reg-cleaner-e2e-'));
  const configDir = join(dir, 'config');
  await mkdir(configDir);
  const start = (
    args: readonly string[],
    env: Readonly<Record<string, string>> = {},
    timeoutMs = RUN_TIMEOUT_MS,
  ): RunningCli => startCli(dir, args, env, timeoutMs);
  return {
    dir,
    configDir,
    async writeConfig(files) {
      for (const [name, content] of Object.entries(files)) {
        await writeFile(join(configDir, name), content);
      }
    },
    run: (args, env, timeoutMs) => start(args, env, timeoutMs).result,
    spawn: (args, env) => start(args, env),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

function startCli(
  cwd: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  timeoutMs: number,
): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    // HOME is the workspace: the Docker config of whoever runs the tests is never read.
    env: { PATH: process.env['PATH'] ?? '', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const listener of listeners) listener();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const listener of listeners) listener();
  });
  const result = new Promise<CliResult>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `CLI did not finish in ${String(timeoutMs)} ms: ${args.join(' ')}\n${stdout}\n${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
  const waitForOutput = (pattern: RegExp, timeoutMs = 30_000): Promise<void> =>
    new Promise((resolvePromise, reject) => {
      const check = (): void => {
        if (pattern.test(stdout) || pattern.test(stderr)) {
          listeners.delete(check);
          clearTimeout(timer);
          resolvePromise();
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`output never matched ${String(pattern)}:\n${stdout}\n${stderr}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  return { child, result, waitForOutput };
}

/** A config.yaml for a test registry, with credentials passed through `__ENV` like in production. */
export function configYaml(url: string, extra = ''): string {
  return [
    `registry_url: ${url}`,
    'username: "__ENV: REG_USER"',
    'password: "__ENV: REG_PASSWORD"',
    'timeout: 10',
    'max_concurrent_requests: 8',
    extra,
  ].join('\n');
}

export function anonymousConfigYaml(url: string, extra = ''): string {
  return [`registry_url: ${url}`, 'timeout: 10', 'max_concurrent_requests: 8', extra].join('\n');
}

/** A real registry without auth and a workspace whose config.yaml points at it. */
export interface AnonymousSetup {
  readonly registry: RunningRegistry;
  readonly workspace: Workspace;
}

/**
 * The usual start of an end-to-end file: an anonymous registry, a workspace with config.yaml for
 * it (`configExtra` appended) and the other `files` of config/. Undone by stopSetup().
 */
export async function anonymousSetup(
  files: Readonly<Record<string, string>>,
  configExtra = '',
): Promise<AnonymousSetup> {
  const registry = await startRegistry({ auth: 'none' });
  const workspace = await createWorkspace();
  await workspace.writeConfig({
    'config.yaml': anonymousConfigYaml(registry.url, configExtra),
    ...files,
  });
  return { registry, workspace };
}

export async function stopSetup(setup: AnonymousSetup): Promise<void> {
  await setup.workspace.cleanup();
  await setup.registry.stop();
}
