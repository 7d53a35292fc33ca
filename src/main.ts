#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { parseCommandLine, type CliOptions } from './adapters/cli/command-line.js';
import {
  ExitCode,
  exitCodeFor,
  exitCodeForDemo,
  exitCodeForNotifications,
  exitCodeForReports,
  exitCodeForRestore,
  interruptedExitCode,
} from './adapters/cli/exit-codes.js';
import { UsageError } from './adapters/shared/usage-error.js';
import { metricsOptionsFor } from './adapters/metrics/metrics-options.js';
import { ignoreClosedOutput } from './adapters/process/closed-pipes.js';
import { capYoungGeneration } from './adapters/process/young-generation.js';
import type { ReportsSettings } from './adapters/reports/reports-settings.js';
// Environment only, no dependency: cheap to load before the rest.
import { gitHubActionsFrom } from './adapters/reports/github/github-actions.js';
import type { Job } from './domain/job.js';
import type { RestoreSource } from './application/restore-jobs.use-case.js';
import { Notifier } from './application/ports/notifier.port.js';
import { fsErrorCode } from './adapters/shared/files/fs-error.js';
import { shardDir } from './adapters/shared/files/shard-folder.js';
import type { Shutdown } from './adapters/process/shutdown.js';

// A run's live heap is small and bounded (tens of MB: the repositories in flight and the
// registry cache), but it allocates fast (a few objects per HTTP exchange). V8's default
// heap growth let the heap reach several times the live size before a full collection: peak
// RSS was 220 MB for a 10,000-tag dry run with 40-70 MB live. Growing the heap by at most 10%
// per collection keeps it near the live size (about 150 MB for that run) for about the same
// CPU. Read at run time by V8's heap-growing heuristics; harmless where a runtime ignores it.
setFlagsFromString('--heap-growing-percent=10');
// And the young generation stops growing at 16 MB (young-generation.ts): peak RSS -20 MB.
capYoungGeneration();

/** Set by the first signal: the process then exits as soon as main() is over (see the end). */
let stopRequested = false;

/**
 * argv -> config -> container -> use case -> exit code. Nothing else decides exit codes.
 * Only the command line parser is loaded up front: `--help` and usage errors answer without
 * loading the HTTP client, the container or the scheduler (they are imported on first use).
 */
async function main(argv: readonly string[]): Promise<number> {
  // Before anything is written: `reg-cleaner ... | head -1` must not end in an EPIPE stack trace.
  const outputProblems: Error[] = [];
  ignoreClosedOutput([process.stdout, process.stderr], (error) => outputProblems.push(error));
  const parsed = parseCommandLine(argv);
  if (parsed.kind === 'exit') {
    (parsed.code === ExitCode.success ? process.stdout : process.stderr).write(parsed.output);
    return parsed.code;
  }
  if (parsed.kind === 'demo') {
    const { runDemoCommand } = await import('./adapters/demo/demo-command.js');
    // The demo runs this very file for each reg-cleaner command it shows.
    return exitCodeForDemo(
      await runDemoCommand({ ...parsed.options, cliScript: fileURLToPath(import.meta.url) }),
    );
  }
  const options = inShardFolders(parsed.options);
  if (options.checkConfig) return checkConfig(options);
  // reflect-metadata must be loaded before any decorated class is evaluated.
  await import('reflect-metadata');
  const config = await import('./adapters/config/index.js');
  const mode = options.watch ? 'watch' : 'manual';
  // --test-notifications runs no job: no jobs file is needed, and no state is written.
  const testing = options.testNotifications;
  // Read before the logger, the container and the HTTP client are loaded (most of the start-up
  // time): a configuration mistake is answered without them. Nothing is logged before this.
  let loaded: ReturnType<typeof config.loadConfig>;
  try {
    loaded = config.loadConfig(options.configDir, process.env, {
      watch: options.watch,
      manual: !options.watch && options.restore === undefined && !testing,
      restore: options.restore !== undefined,
    });
  } catch (error) {
    return reportFailure(error);
  }
  const [logging, stopHandling, stateLock, composition, restoring] = await Promise.all([
    import('./adapters/logging/log4js-logger.js'),
    import('./adapters/process/stop-handling.js'),
    import('./adapters/state/state-lock.js'),
    import('./container.js'),
    options.restore === undefined ? undefined : import('./adapters/cli/restore-command.js'),
  ]);
  let lock: Awaited<ReturnType<typeof stateLock.acquireStateLock>> | undefined;
  let shutdown: Shutdown | undefined;
  try {
    // A restore or a notification test is not a cleanup run: it writes no cleanup report.
    const reports =
      options.restore === undefined && !testing
        ? await reportsFor(loaded.reports, options)
        : undefined;
    // Every folder the run writes, before anything is written: each bad one named at once.
    await checkFolders([
      dirFolder('--logs-dir', options.logsDir, options.givenDirs?.has('logsDir') === true),
      ...(testing
        ? []
        : [
            dirFolder('--state-dir', options.stateDir, options.givenDirs?.has('stateDir') === true),
          ]),
      ...(reports === undefined || reports.formats.length === 0
        ? []
        : [reportsFolder(reports.dir, options.reportsDir !== undefined)]),
    ]);
    // After the config: log_format decides the layout of the first line already.
    const logger = withFolder('--logs-dir', options.logsDir, () =>
      logging.configureLogging({
        logsDir: options.logsDir,
        dryRun: options.dryRun,
        format: options.logFormat ?? loaded.logFormat ?? 'text',
      }),
    );
    for (const warning of loaded.warnings ?? []) logger.warn(warning);
    // A restore goes on without the targets whose variables are missing (issue 27 item 3).
    for (const skipped of loaded.skippedNotifications ?? []) {
      logger.warn(`${skipped}: this restore does not notify it`);
    }
    // A restore names jobs of either file (checked here, before the lock and any request).
    const restore =
      options.restore === undefined
        ? undefined
        : restoring?.restoreSources(loaded, options.restore);
    const jobs =
      restore === undefined && !testing ? config.selectJobs(loaded, mode, options.jobs) : [];
    if (!testing) {
      lock = await stateLock.acquireStateLock(options.stateDir).catch((error: unknown) => {
        throw folderProblem('--state-dir', options.stateDir, error);
      });
    }
    // Installed once the lock is held, so that any exit from here on releases it.
    const stopping = stopHandling.installStopHandling({
      watch: options.watch,
      interruptedExitCode,
      logger,
      ...(lock === undefined ? {} : { lock }),
    });
    shutdown = stopping.shutdown;
    shutdown.signal.addEventListener('abort', () => {
      stopRequested = true;
    });
    const container = await composition.buildContainer({
      registry: { ...loaded.registry, httpLogs: options.httpLogs },
      stateDir: options.stateDir,
      logger,
      reportStream: process.stdout,
      watch: options.watch,
      metrics: testing
        ? undefined
        : metricsOptionsFor(
            options,
            loaded,
            jobs.map((job) => job.name),
          ),
      ...(loaded.journal === undefined ? {} : { journal: loaded.journal }),
      notifications: loaded.notifications ?? [],
      ...(reports === undefined ? {} : { reports }),
      stop: shutdown.signal,
      // Step outputs and annotations belong to the one-shot runs of jobs (issue 24 item 4).
      ...(options.watch || restore !== undefined || testing
        ? {}
        : { github: gitHubActionsFrom(process.env) }),
    });
    stopping.follow(composition.stateFilesOf(container));
    await composition.openMetrics(container);
    try {
      const code =
        restore !== undefined && restoring !== undefined
          ? await restoreTags(
              container,
              restoring,
              restore,
              options.dryRun,
              stopping.shutdown.signal,
            )
          : await run(container, options, jobs, stopping.shutdown.signal);
      const stoppedBy = stopping.shutdown.received();
      return stoppedBy === undefined ? code : stopping.exitCode(stoppedBy);
    } finally {
      await composition.closeContainer(container, process.env);
      for (const problem of outputProblems.splice(0)) {
        logger.warn('the console output could not be written', { error: problem.message });
      }
    }
  } catch (error) {
    return reportFailure(error);
  } finally {
    lock?.release();
    await logging.shutdownLogging();
    // Last: a second signal while the cache is flushed still releases the lock at once.
    shutdown?.dispose();
  }
}

/** `--check-config`: the same loading and validation as a run, then a summary; no lock, no log. */
async function checkConfig(options: CliOptions): Promise<number> {
  const [config, check] = await Promise.all([
    import('./adapters/config/index.js'),
    import('./adapters/cli/check-config.js'),
  ]);
  try {
    const loaded = config.loadConfig(options.configDir, process.env, {
      watch: options.watch,
      manual: options.jobs.length > 0,
    });
    const jobs = options.watch ? [] : config.selectJobs(loaded, 'manual', options.jobs);
    process.stdout.write(
      check.describeValidConfig(loaded, {
        watch: options.watch,
        jobs,
        namedJobs: options.jobs.length > 0,
      }),
    );
    return ExitCode.success;
  } catch (error) {
    return reportFailure(error);
  }
}

/** Prints why the run ended on stderr and returns its exit code. */
function reportFailure(error: unknown): number {
  const { code, message } = exitCodeFor(error);
  process.stderr.write(message.endsWith('\n') ? message : `${message}\n`);
  return code;
}

/** The reports section with --reports-dir applied (its folder is checked by checkFolders). */
async function reportsFor(
  configured: ReportsSettings | undefined,
  options: CliOptions,
): Promise<ReportsSettings> {
  const { DEFAULT_REPORTS_SETTINGS } = await import('./adapters/reports/reports-settings.js');
  const summary = gitHubActionsFrom(process.env).stepSummaryFile;
  const settings = configured ?? DEFAULT_REPORTS_SETTINGS;
  return {
    ...settings,
    dir: shardDir(options.reportsDir ?? settings.dir, options.shard),
    ...(summary === undefined ? {} : { stepSummaryFile: summary }),
  };
}

/**
 * `--shard I/N`: the state (lock, latest_cleanup.json, journal, cache) and the log of shard I
 * live in `shard-I-of-N/` sub-folders, so that the shards of a run share no file. The reports
 * folder gets the same sub-folder in reportsFor.
 */
function inShardFolders(options: CliOptions): CliOptions {
  if (options.shard === undefined) return options;
  return {
    ...options,
    stateDir: shardDir(options.stateDir, options.shard),
    logsDir: shardDir(options.logsDir, options.shard),
  };
}

/** A folder the run writes, and how the user chose it (for the message when it is bad). */
interface Folder {
  readonly dir: string;
  /** What the message names: the flag or key the user set, or the default and its flag. */
  readonly named: string;
}

/** A folder of a flag: named by the flag when the user gave it, else as the default. */
function dirFolder(flag: string, dir: string, given: boolean): Folder {
  return { dir, named: given ? `${flag} ${dir}` : `the default ${dir} (set with ${flag})` };
}

function reportsFolder(dir: string, fromFlag: boolean): Folder {
  if (fromFlag) return { dir, named: `--reports-dir ${dir}` };
  return {
    dir,
    named:
      dir === './reports'
        ? `the default ${dir} (reports.dir, or --reports-dir)`
        : `reports.dir ${dir}`,
  };
}

/**
 * Creates each folder if missing and writes a probe file in it (issue 27): a read-only or
 * misplaced folder is a usage error before any request, with the real errno, and every bad
 * folder is named in one message rather than the first one only.
 */
async function checkFolders(folders: readonly Folder[]): Promise<void> {
  const { prepareReportsFolder } = await import('./adapters/reports/reports-folder.js');
  const problems: string[] = [];
  for (const folder of folders) {
    try {
      await prepareReportsFolder(folder.dir);
    } catch (error) {
      const why = folderError(error);
      if (why === undefined) throw error;
      problems.push(`${folder.named} cannot be used as a folder (${why})`);
    }
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
}

/** A folder option that cannot be used (a file, a read-only place) is a command-line mistake. */
function folderProblem(flag: string, dir: string, error: unknown): unknown {
  const why = folderError(error);
  if (why === undefined) return error;
  return new UsageError(`${flag} ${dir} cannot be used as a folder (${why})`);
}

/** Why a folder cannot be used, with the file system's own code; undefined: not an fs error. */
function folderError(error: unknown): string | undefined {
  const code = fsErrorCode(error);
  if (code === undefined) return undefined;
  if (code === 'EEXIST') return 'it is a file, not a folder: EEXIST';
  if (code === 'ENOTDIR') return 'a part of the path is a file: ENOTDIR';
  if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM')
    return `it cannot be written: ${code}`;
  return code;
}

function withFolder<T>(flag: string, dir: string, use: () => T): T {
  try {
    return use();
  } catch (error) {
    throw folderProblem(flag, dir, error);
  }
}

async function run(
  container: Awaited<ReturnType<typeof import('./container.js').buildContainer>>,
  options: CliOptions,
  jobs: readonly Job[],
  signal: AbortSignal,
): Promise<number> {
  if (options.testNotifications) return testNotifications(container);
  if (options.watch) {
    const { WatchJobs } = await import('./application/watch-jobs.use-case.js');
    await container
      .get(WatchJobs)
      .execute(jobs, { dryRun: options.dryRun, signal, strict: options.strict === true });
    return ExitCode.success;
  }
  const { RunManualJobs } = await import('./application/run-manual-jobs.use-case.js');
  const reports = await container.get(RunManualJobs).execute(jobs, {
    dryRun: options.dryRun,
    signal,
    strict: options.strict === true,
    ...(options.shard === undefined ? {} : { shard: options.shard }),
  });
  return exitCodeForReports(reports);
}

/**
 * `--restore`: RestoreJobs from the container, its table on stdout, the exit code (main()
 * gives the signal's code instead when one came).
 */
async function restoreTags(
  container: Awaited<ReturnType<typeof import('./container.js').buildContainer>>,
  restoring: typeof import('./adapters/cli/restore-command.js'),
  sources: readonly RestoreSource[],
  dryRun: boolean,
  signal: AbortSignal,
): Promise<number> {
  const { RestoreJobs } = await import('./application/restore-jobs.use-case.js');
  const report = await container.get(RestoreJobs).execute(sources, { dryRun, signal });
  // The targets that listen to `restored` hear of a real restore only (a dry run writes nothing).
  if (!dryRun) await container.get<Notifier>(Notifier).restoreFinished(report);
  process.stdout.write(restoring.renderRestoreReport(report));
  return exitCodeForRestore(report);
}

/** One line per target on stdout; exit 0 only if every target took the test message. */
async function testNotifications(
  container: Awaited<ReturnType<typeof import('./container.js').buildContainer>>,
): Promise<number> {
  const { TestNotifications } = await import('./application/test-notifications.use-case.js');
  const results = await container.get(TestNotifications).execute();
  if (results.length === 0) {
    throw new UsageError('--test-notifications: config.yaml declares no notifications');
  }
  for (const result of results) {
    const outcome = result.delivered
      ? 'delivered'
      : `NOT delivered after ${String(result.attempts)} attempt(s): ${result.problem ?? 'unknown'}`;
    process.stdout.write(`${result.target} (${result.host}): ${outcome}\n`);
  }
  const delivered = results.filter((result) => result.delivered).length;
  process.stdout.write(
    `${String(delivered)} of ${String(results.length)} targets took the test message.\n`,
  );
  return exitCodeForNotifications(results);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // After a signal, nothing that is left (a notification's retry timer, a kept-alive
    // socket) may hold the process past its promised exit.
    if (stopRequested) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`reg-cleaner: unexpected failure: ${String(error)}\n`);
    process.exitCode = ExitCode.failure;
  },
);
