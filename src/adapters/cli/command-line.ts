import { Command, CommanderError, Option } from 'commander';
import { isLogFormat, type LogFormat } from '../config/log-format-section.js';
import { parseListenAddress, type ListenAddress } from '../config/listen-address.js';
import { ExitCode } from './exit-codes.js';
import { parseShard, type Shard } from '../../domain/shard.js';
import { packageVersion } from '../shared/version.js';

export interface CliOptions {
  /** `--dry-run` (alias `--debug`, the original's name): nothing is deleted; the full plan is printed and logged. */
  readonly dryRun: boolean;
  /** `--check-config`: load and validate the config folder, list the jobs, send nothing. */
  readonly checkConfig: boolean;
  /** `--watch`: run the jobs of jobs.yaml forever, each when it is due. */
  readonly watch: boolean;
  /** `--jobs`: names of manual.yaml jobs to run once; empty = every job of manual.yaml. */
  readonly jobs: readonly string[];
  /** `--http-logs`: one log line per HTTP request. */
  readonly httpLogs: boolean;
  /** `--test-notifications`: a test message to every target of config.yaml, then exit. */
  readonly testNotifications: boolean;
  readonly configDir: string;
  readonly stateDir: string;
  readonly logsDir: string;
  /** `--metrics-listen HOST:PORT` (watch mode): overrides `metrics.listen` of config.yaml. */
  readonly metricsListen?: ListenAddress;
  /** `--metrics-file PATH` (one-shot runs): the metrics, written once at the end. */
  readonly metricsFile?: string;
  /** `--log-format text|json`: overrides `log_format` of config.yaml. */
  readonly logFormat?: LogFormat;
  /**
   * `--restore` (with `--jobs`: the last journal of each job) or `--restore-from FILE`: put back
   * what a real run deleted (issue 16). undefined for a cleaning run.
   */
  readonly restore?: { readonly jobs: readonly string[] } | { readonly file: string };
  /** `--reports-dir`: overrides `reports.dir` of config.yaml; undefined = the config's. */
  readonly reportsDir?: string;
  /** `--strict`: any job warning fails the job (exit 1), as `fail_on_warning: true` does. */
  readonly strict?: boolean;
  /** The folder flags the user gave (the others hold their defaults): error messages name them. */
  readonly givenDirs?: ReadonlySet<'stateDir' | 'logsDir'>;
  /**
   * `--shard I/N` (issue 24): only the repositories of shard I, in the `shard-I-of-N/` folders
   * of the state, logs and reports. A restore without it undoes every shard's last run.
   */
  readonly shard?: Shard;
}

/** `reg-cleaner demo [--seed URL] [--keep]`. */
export interface DemoOptions {
  /** Only push the demo images to this registry (the Quick start's "push a few images"). */
  readonly seedUrl?: string;
  /** Keep the demo folder (config, state, logs, registry storage) for a look around. */
  readonly keep: boolean;
}

/** Either options to run with, or text to print and an exit code (help, version, usage error). */
export type CommandLine =
  | { readonly kind: 'run'; readonly options: CliOptions }
  | { readonly kind: 'demo'; readonly options: DemoOptions }
  /** Print `output` (stdout when code is 0, stderr otherwise) and exit with `code`. */
  | { readonly kind: 'exit'; readonly code: number; readonly output: string };

const EXAMPLES = `
Modes:
  (no mode flag)     run every job of manual.yaml once, then exit
  --jobs NAME...     run only the named jobs of manual.yaml once, then exit
  --watch            run the jobs of jobs.yaml forever, each when it is due
  --check-config     validate the config folder and list its jobs; contacts no registry
  --restore --jobs NAME...   put back what the last real run of each job deleted
  --restore-from FILE        put back what one deletion journal lists
  demo               a throw-away local registry, realistic images, a dry run, a real run and
                     the garbage collector (needs Debian's docker-registry; see demo --help)
  --shard I/N        with a one-shot run or --restore: only the repositories of shard I of N
  --watch and --jobs cannot be combined; --dry-run combines with either.

Examples:
  reg-cleaner --dry-run                             show what every manual job would delete
  reg-cleaner --jobs clean-dev-tags clean-prod-older-15
  reg-cleaner --dry-run --jobs clean-dev-tags       dry run of one job
  reg-cleaner --check-config --config-dir /etc/reg-cleaner
  reg-cleaner --watch --http-logs --metrics-listen 0.0.0.0:9464
                                                    the container's default command: /metrics, /healthz, /readyz
  reg-cleaner --metrics-file run.prom               one-shot run, metrics written at the end (textfile collector)
  reg-cleaner --restore --jobs clean-dev-tags --dry-run   what a restore would put back
  reg-cleaner --test-notifications                  a test message to every notification target of config.yaml
  reg-cleaner demo                                  see it work on a throw-away registry
  reg-cleaner --watch --config-dir /etc/reg-cleaner --state-dir /var/lib/reg-cleaner
  reg-cleaner --shard 0/3 --jobs clean-dev-tags     one of three processes that together run the job

Files:
  <config-dir>/config.yaml   registry URL, credentials ("__ENV: NAME" reads a variable), proxy, limits,
                             notifications (Slack, Teams, webhook, e-mail)
  <config-dir>/jobs.yaml     jobs for --watch
  <config-dir>/manual.yaml   jobs for one-shot runs
  <logs-dir>/cleaner.log     application log
  <reports-dir>/<job>/...    a JSON, HTML or Markdown report per run (config.yaml: reports)
  <state-dir>/latest_cleanup.json, <state-dir>/history.log   last run of each job, run history

Exit codes:
  0 success   1 a job failed   2 invalid configuration or usage, or the state folder is locked
  130/143 stopped by SIGINT/SIGTERM
`;

/**
 * Parses the user's arguments (`process.argv.slice(2)`). Never exits and never prints:
 * the caller prints `output` and exits, so that every path is testable.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  if (argv[0] === 'demo') return parseDemo(argv.slice(1));
  const program = new Command()
    .name('reg-cleaner')
    .description(
      'Deletes old image tags from a Docker / OCI registry (Registry HTTP API v2) according to the jobs in the config folder.',
    )
    .usage(
      '[--dry-run] [--watch | --jobs NAME... | --restore --jobs NAME... | --restore-from FILE] [--check-config] [--http-logs] [--config-dir DIR] [--state-dir DIR] [--logs-dir DIR] [--reports-dir DIR] [--shard I/N]',
    )
    .option(
      '--dry-run',
      'print and log what would be deleted, delete nothing (--debug, the original name, also works)',
    )
    // The original tool's name for the dry run, kept working; hidden so that the help and the
    // "did you mean" suggestions speak of --dry-run.
    .addOption(new Option('--debug').hideHelp())
    .option(
      '--check-config',
      'validate the config folder and list its jobs, then exit (0 valid, 2 not); sends nothing',
    )
    .option(
      '--watch',
      'run forever: each job of jobs.yaml runs when it is due (clean_every_n_hours or schedule)',
    )
    .option(
      '--jobs <names...>',
      'run only these jobs of manual.yaml, once (names separated by spaces or commas)',
    )
    .option(
      '--restore',
      "undo: put back the tags the last real run of each --jobs job deleted (until the registry's garbage collector runs)",
    )
    .option('--restore-from <file>', 'undo: put back the tags one deletion journal lists')
    .option('--http-logs', 'log every HTTP request made to the registry')
    .option(
      '--strict',
      'a job warning (a repository that does not exist, a pattern matching nothing...) fails the job: exit 1',
    )
    .option(
      '--test-notifications',
      'send a test message to every notification target of config.yaml, report each, and exit (0 only if all were delivered)',
    )
    .option('--config-dir <dir>', 'folder with config.yaml, jobs.yaml and manual.yaml', './config')
    .option('--state-dir <dir>', 'folder for latest_cleanup.json and history.log', './cache')
    .option('--logs-dir <dir>', 'folder for cleaner.log', './logs')
    .option(
      '--metrics-listen <host:port>',
      'with --watch: serve /metrics, /healthz and /readyz there (overrides metrics.listen)',
    )
    .option('--metrics-file <path>', 'without --watch: write the metrics there at the end')
    .option(
      '--log-format <format>',
      'text or json: one JSON object per log line (overrides log_format)',
    )
    .option(
      '--reports-dir <dir>',
      'folder for the report files (default: reports.dir of config.yaml, ./reports)',
    )
    .option(
      '--shard <I/N>',
      'one-shot runs and --restore: only the repositories of shard I of N (FNV-1a of the name mod N), state, logs and reports in shard-I-of-N/ sub-folders',
    )
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .addHelpText('after', EXAMPLES)
    .allowExcessArguments(false)
    .showHelpAfterError('(run reg-cleaner --help for usage)')
    .exitOverride();

  const exit = parseOrExit(program, argv);
  if (exit !== undefined) return exit;

  const raw = program.opts<{
    dryRun?: boolean;
    debug?: boolean;
    checkConfig?: boolean;
    watch?: boolean;
    jobs?: string[];
    httpLogs?: boolean;
    restore?: boolean;
    restoreFrom?: string;
    testNotifications?: boolean;
    configDir: string;
    stateDir: string;
    logsDir: string;
    metricsListen?: string;
    metricsFile?: string;
    logFormat?: string;
    reportsDir?: string;
    strict?: boolean;
    shard?: string;
  }>();
  const jobs = (raw.jobs ?? [])
    .flatMap((entry) => entry.split(','))
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (raw.watch === true && raw.jobs !== undefined) {
    return usageError(
      '--watch and --jobs cannot be used together: --watch runs the jobs of jobs.yaml, --jobs runs jobs of manual.yaml once',
    );
  }
  if (
    raw.testNotifications === true &&
    (raw.watch === true ||
      raw.jobs !== undefined ||
      raw.restore === true ||
      raw.restoreFrom !== undefined)
  ) {
    return usageError('--test-notifications runs no job: leave out --watch, --jobs and --restore');
  }
  if (raw.jobs !== undefined && jobs.length === 0) {
    return usageError('--jobs needs at least one job name');
  }
  const observability = observabilityOptions(raw, raw.watch === true);
  if ('error' in observability) return usageError(observability.error);
  const restore = restoreOf(raw.restore === true, raw.restoreFrom, raw.watch === true, jobs);
  if (typeof restore === 'string') return usageError(restore);
  if (raw.strict === true && (restore !== undefined || raw.testNotifications === true)) {
    return usageError(
      '--strict is for cleaning runs: leave it out of --restore and --test-notifications',
    );
  }
  const shard = shardOf(raw);
  if (typeof shard === 'string') return usageError(shard);
  const givenDirs = new Set(
    (['stateDir', 'logsDir'] as const).filter(
      (key) => program.getOptionValueSource(key) !== 'default',
    ),
  );
  return {
    kind: 'run',
    options: {
      dryRun: raw.dryRun === true || raw.debug === true,
      checkConfig: raw.checkConfig === true,
      watch: raw.watch === true,
      jobs,
      httpLogs: raw.httpLogs === true,
      testNotifications: raw.testNotifications === true,
      configDir: raw.configDir,
      stateDir: raw.stateDir,
      logsDir: raw.logsDir,
      ...observability,
      ...(restore === undefined ? {} : { restore }),
      ...(raw.reportsDir === undefined ? {} : { reportsDir: raw.reportsDir }),
      ...(raw.strict === true ? { strict: true } : {}),
      ...(givenDirs.size === 0 ? {} : { givenDirs }),
      ...(shard === undefined ? {} : { shard }),
    },
  };
}

/**
 * `--shard I/N`, nothing without it, or what is wrong. A shard splits one-shot runs (the pods
 * of an Indexed Job); watch mode is one long-lived process over every repository, a test
 * message concerns no repository, and --restore-from names its journal itself.
 */
function shardOf(raw: {
  shard?: string;
  watch?: boolean;
  testNotifications?: boolean;
  restoreFrom?: string;
}): Shard | string | undefined {
  if (raw.shard === undefined) return undefined;
  if (raw.watch === true) {
    return '--shard splits one-shot runs (e.g. the pods of a Kubernetes Indexed Job); --watch runs every repository in one process';
  }
  if (raw.testNotifications === true) return '--shard cannot be combined with --test-notifications';
  if (raw.restoreFrom !== undefined) {
    return '--restore-from FILE names its journal: leave out --shard (or use --restore --jobs NAME... --shard I/N)';
  }
  const parsed = parseShard(raw.shard);
  return 'problem' in parsed ? `--shard ${parsed.problem}` : parsed;
}

/** The restore to run, nothing for a cleaning run, or what is wrong with the flags. */
function restoreOf(
  restore: boolean,
  from: string | undefined,
  watch: boolean,
  jobs: readonly string[],
): CliOptions['restore'] | string {
  if (!restore && from === undefined) return undefined;
  const flag = from === undefined ? '--restore' : '--restore-from';
  if (watch) return `${flag} cannot be combined with --watch`;
  if (from !== undefined) {
    if (restore || jobs.length > 0) {
      return '--restore-from FILE restores one journal: give it alone, or use --restore --jobs NAME... for the last journal of each job';
    }
    return from.trim() === '' ? '--restore-from needs a journal file' : { file: from };
  }
  return jobs.length === 0
    ? '--restore needs --jobs NAME... (the jobs whose last real run to undo), or use --restore-from FILE'
    : { jobs };
}

function parseDemo(argv: readonly string[]): CommandLine {
  const program = new Command()
    .name('reg-cleaner demo')
    .description(
      "Starts a throw-away registry (Debian's docker-registry) on 127.0.0.1 in a temp folder, pushes realistic images (dev, feature and release tags, old and recent, multi-arch, a latest sharing a digest), then runs reg-cleaner on it: --check-config, a dry run, a real run, and the registry's garbage collector, and prints the disk space freed. Leaves nothing running.",
    )
    .option('--keep', 'keep the demo folder (config, state, logs, registry storage) afterwards')
    .option(
      '--seed <url>',
      'only push the demo images to the anonymous registry at URL, e.g. http://127.0.0.1:5055',
    )
    .helpOption('-h, --help', 'print this help and exit')
    .allowExcessArguments(false)
    .showHelpAfterError('(run reg-cleaner demo --help for usage)')
    .exitOverride();
  const exit = parseOrExit(program, argv);
  if (exit !== undefined) return exit;
  const raw = program.opts<{ keep?: boolean; seed?: string }>();
  if (raw.seed !== undefined && !/^https?:\/\/[^/\s]+/.test(raw.seed)) {
    return usageError(`--seed needs the registry's URL, http(s)://host:port; got "${raw.seed}"`);
  }
  return {
    kind: 'demo',
    options: { keep: raw.keep === true, ...(raw.seed === undefined ? {} : { seedUrl: raw.seed }) },
  };
}

type Observability = Pick<CliOptions, 'metricsListen' | 'metricsFile' | 'logFormat'>;

/** --metrics-listen (watch only), --metrics-file (one-shot only), --log-format. */
function observabilityOptions(
  raw: { metricsListen?: string; metricsFile?: string; logFormat?: string },
  watch: boolean,
): Observability | { readonly error: string } {
  const options: { -readonly [K in keyof Observability]: Observability[K] } = {};
  if (raw.metricsListen !== undefined) {
    if (!watch) {
      return { error: '--metrics-listen needs --watch (a one-shot run can write --metrics-file)' };
    }
    const parsed = parseListenAddress(raw.metricsListen);
    if (!parsed.ok) return { error: `--metrics-listen ${parsed.message}` };
    options.metricsListen = parsed.address;
  }
  if (raw.metricsFile !== undefined) {
    if (watch) {
      return { error: '--metrics-file is for one-shot runs; --watch serves --metrics-listen' };
    }
    if (raw.metricsFile.trim() === '') return { error: '--metrics-file needs a path' };
    options.metricsFile = raw.metricsFile;
  }
  if (raw.logFormat !== undefined) {
    if (!isLogFormat(raw.logFormat)) return { error: '--log-format must be text or json' };
    options.logFormat = raw.logFormat;
  }
  return options;
}

/**
 * Parses with commander's output captured instead of printed and its exits turned into a
 * CommandLine: --help and --version exit 0 with their text, a usage mistake exits 2 with the
 * message. undefined when the arguments parsed and the run goes on.
 */
function parseOrExit(program: Command, argv: readonly string[]): CommandLine | undefined {
  let stdout = '';
  let stderr = '';
  program.configureOutput({
    writeOut: (text) => (stdout += text),
    writeErr: (text) => (stderr += text),
  });
  try {
    program.parse([...argv], { from: 'user' });
    return undefined;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return error.exitCode === 0
      ? { kind: 'exit', code: ExitCode.success, output: stdout }
      : { kind: 'exit', code: ExitCode.usage, output: stderr };
  }
}

function usageError(message: string): CommandLine {
  return {
    kind: 'exit',
    code: ExitCode.usage,
    output: `error: ${message}\n(run reg-cleaner --help for usage)\n`,
  };
}
