#!/usr/bin/env node
// reflect-metadata must be loaded before any decorated class is evaluated.
import 'reflect-metadata';
import { RunManualJobs } from './application/run-manual-jobs.use-case.js';
import { WatchJobs } from './application/watch-jobs.use-case.js';
import { parseCommandLine, type CliOptions } from './adapters/cli/command-line.js';
import { ConsoleReportWriter } from './adapters/cli/console-report-writer.js';
import {
  exitCodeFor,
  exitCodeForReports,
  interruptedExitCode,
  UsageError,
} from './adapters/cli/exit-codes.js';
import { loadConfig, selectJobs } from './adapters/config/index.js';
import { configureLogging, shutdownLogging } from './adapters/logging/log4js-logger.js';
import { installShutdown } from './adapters/process/shutdown.js';
import { acquireStateLock, type StateLock } from './adapters/state/state-lock.js';
import { buildContainer, closeContainer } from './container.js';

/** How long in-flight requests may take after SIGTERM before the process exits anyway. */
const GRACE_MS = 30_000;

/** argv -> config -> container -> use case -> exit code. Nothing else decides exit codes. */
async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === 'exit') {
    (parsed.code === 0 ? process.stdout : process.stderr).write(parsed.output);
    return parsed.code;
  }
  const options = parsed.options;
  let lock: StateLock | undefined;
  try {
    const logger = withFolder('--logs-dir', options.logsDir, () =>
      configureLogging({ logsDir: options.logsDir, debug: options.debug }),
    );
    const mode = options.watch ? 'watch' : 'manual';
    const config = loadConfig(options.configDir, process.env, {
      watch: options.watch,
      manual: !options.watch,
    });
    const jobs = selectJobs(config, mode, options.jobs);
    lock = await acquireStateLock(options.stateDir).catch((error: unknown) => {
      throw folderProblem('--state-dir', options.stateDir, error);
    });
    const container = buildContainer({
      registry: { ...config.registry, httpLogs: options.httpLogs },
      stateDir: options.stateDir,
      logger,
      reportWriter: new ConsoleReportWriter(process.stdout),
    });
    const shutdown = installShutdown({
      graceMs: GRACE_MS,
      forcedExitCode: (signal) => (options.watch ? 0 : interruptedExitCode(signal)),
      onFirstSignal: (signal) => {
        logger.warn(`${signal} received: finishing requests in flight, starting nothing new`, {
          graceSeconds: GRACE_MS / 1000,
        });
      },
    });
    try {
      return await run(container, options, jobs, shutdown.signal, () => shutdown.received());
    } finally {
      shutdown.dispose();
      await closeContainer(container, process.env);
    }
  } catch (error) {
    const { code, message } = exitCodeFor(error);
    process.stderr.write(message.endsWith('\n') ? message : `${message}\n`);
    return code;
  } finally {
    lock?.release();
    await shutdownLogging();
  }
}

/** A folder option that cannot be used (a file, a read-only place) is a command-line mistake. */
function folderProblem(flag: string, dir: string, error: unknown): unknown {
  const code = error instanceof Error && 'code' in error ? String(error.code) : undefined;
  if (code === undefined) return error;
  const why =
    code === 'EEXIST'
      ? 'it is a file, not a folder'
      : code === 'ENOTDIR'
        ? 'a part of the path is a file'
        : code;
  return new UsageError(`${flag} ${dir} cannot be used as a folder (${why})`);
}

function withFolder<T>(flag: string, dir: string, use: () => T): T {
  try {
    return use();
  } catch (error) {
    throw folderProblem(flag, dir, error);
  }
}

async function run(
  container: ReturnType<typeof buildContainer>,
  options: CliOptions,
  jobs: Parameters<RunManualJobs['execute']>[0],
  signal: AbortSignal,
  received: () => 'SIGINT' | 'SIGTERM' | undefined,
): Promise<number> {
  if (options.watch) {
    await container.get(WatchJobs).execute(jobs, { dryRun: options.debug, signal });
    return 0;
  }
  const reports = await container
    .get(RunManualJobs)
    .execute(jobs, { dryRun: options.debug, signal });
  const stoppedBy = received();
  return stoppedBy === undefined ? exitCodeForReports(reports) : interruptedExitCode(stoppedBy);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`reg-cleaner: unexpected failure: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
