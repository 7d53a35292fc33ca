import { statSync } from 'node:fs';
import type { Job } from '../../domain/job.js';
import type { AppConfig } from './app-config.js';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { ignoredKeyWarnings, type JobsFileKind, parseJobsFile } from './jobs-file.js';
import { parseLogFormat } from './log-format-section.js';
import { parseMetricsSection } from './metrics-section.js';
import { parseNotificationsSection } from './notifications-section.js';
import { lookUpDockerCredentials } from './docker-config.js';
import { isPlainObject, parseRegistryConfig, type RegistryConfig } from './config-yaml.js';
import { parseReportsSection } from './reports-section.js';
import { DEFAULT_REPORTS_SETTINGS } from '../reports/reports-settings.js';
import { locateYamlFile, readYamlFile } from './yaml-file.js';

/** Which jobs files the chosen mode cannot do without. */
export interface ConfigNeeds {
  /** `--watch`: jobs.yaml must exist. */
  readonly watch: boolean;
  /** One-shot run: manual.yaml must exist. */
  readonly manual: boolean;
  /**
   * `--restore`: it needs only what it uses. A notification target whose `__ENV` variable is not
   * set is left out with a warning (AppConfig.skippedNotifications), not an error.
   */
  readonly restore?: boolean;
}

/**
 * Reads config.yaml, jobs.yaml and manual.yaml (`.yml` accepted) from `configDir`.
 * Every file that is present is validated; a jobs file that is absent is fine unless the mode
 * needs it. Throws one ConfigError listing every problem of every file.
 */
export function loadConfig(
  configDir: string,
  env: NodeJS.ProcessEnv,
  needs: ConfigNeeds,
): AppConfig {
  if (!isDirectory(configDir)) {
    throw new ConfigError([
      { file: configDir, message: 'config folder not found (set it with --config-dir)' },
    ]);
  }
  const problems: ConfigProblem[] = [];
  const secrets: string[] = [];

  const files: { config?: string; watchJobs?: string; manualJobs?: string } = {};
  const sections: Sections = {};
  const rawConfig: { value?: Record<string, unknown> } = {};

  const registry = loadRegistry(configDir, env, problems, secrets, files, sections, rawConfig);
  const jobProblemsBefore = problems.length;
  const warnings: string[] = [];
  const watchJobs = loadJobs(
    configDir,
    'jobs',
    'watch',
    needs.watch,
    { problems, warnings },
    files,
  );
  const manualJobs = loadJobs(
    configDir,
    'manual',
    'manual',
    needs.manual,
    { problems, warnings },
    files,
  );
  // Job names are checked only against jobs files that loaded without problems.
  const jobNames =
    problems.length === jobProblemsBefore
      ? new Set([...watchJobs, ...manualJobs].map((job) => job.name))
      : undefined;
  const notifications = parseNotificationsSection(rawConfig.value?.notifications, env, jobNames, {
    skipUnset: needs.restore === true,
  });
  secrets.push(...notifications.secrets);
  for (const problem of notifications.problems) {
    problems.push({ file: files.config ?? configDir, ...problem });
  }

  if (problems.length > 0 || registry === undefined || files.config === undefined) {
    throw new ConfigError(problems.map((problem) => scrub(problem, secrets)));
  }
  return {
    configDir,
    registry,
    watchJobs,
    manualJobs,
    ...sections,
    notifications: notifications.targets,
    ...(notifications.skipped.length === 0
      ? {}
      : {
          skippedNotifications: notifications.skipped.map(
            (text) => `${files.config ?? ''}: ${text}`,
          ),
        }),
    ...(warnings.length === 0 ? {} : { warnings }),
    files: { ...files, config: files.config },
  };
}

/** The optional sections of config.yaml, each parsed by its own module. */
type Sections = {
  -readonly [K in 'metrics' | 'logFormat' | 'journal' | 'reports']?: AppConfig[K];
};

function loadRegistry(
  configDir: string,
  env: NodeJS.ProcessEnv,
  problems: ConfigProblem[],
  secrets: string[],
  files: { config?: string },
  sections: Sections,
  rawConfig: { value?: Record<string, unknown> },
): RegistryConfig | undefined {
  const located = locateYamlFile(configDir, 'config', problems);
  if (located.status === 'absent') {
    problems.push({
      file: located.expected,
      message: 'not found (config.yaml or config.yml is required)',
    });
  }
  if (located.status !== 'found') return undefined;
  files.config = located.path;
  const raw = readYamlFile(located.path, problems);
  if (raw === undefined) return undefined;
  const result = parseRegistryConfig(raw, configDir, env);
  if (isPlainObject(raw)) rawConfig.value = raw;
  secrets.push(...result.secrets);
  const record: Readonly<Record<string, unknown>> = isPlainObject(raw) ? raw : {};
  const metrics = parseMetricsSection(record['metrics']);
  const logFormat = parseLogFormat(record['log_format']);
  const reports = parseReportsSection(record['reports']);
  if (metrics.settings !== undefined) sections.metrics = metrics.settings;
  if (logFormat.format !== undefined) sections.logFormat = logFormat.format;
  if (result.journal !== undefined) sections.journal = result.journal;
  sections.reports = reports.settings;
  for (const problem of [
    ...result.problems,
    ...metrics.problems,
    ...logFormat.problems,
    ...reports.problems,
    ...watchPageProblems(metrics.settings, reports.settings),
  ]) {
    problems.push({
      file: located.path,
      ...(problem.field === '' ? {} : { field: problem.field }),
      message: problem.message,
    });
  }
  if (result.settings === undefined || result.settings.credentials !== undefined) {
    return result.settings;
  }
  // No username/password in config.yaml: the Docker client config, as `docker` reads it.
  const docker = lookUpDockerCredentials(result.settings.url, env);
  secrets.push(...docker.secrets);
  problems.push(...docker.problems);
  const { credentials, dockerLogin, credentialsFrom } = docker;
  return {
    ...result.settings,
    ...(credentials === undefined ? {} : { credentials }),
    ...(dockerLogin === undefined ? {} : { dockerLogin }),
    credentialsFrom,
  };
}

/** The watch page reads each job's latest JSON report: without json there is nothing to show. */
function watchPageProblems(
  metrics: AppConfig['metrics'],
  reports: AppConfig['reports'],
): { readonly field: string; readonly message: string }[] {
  if (metrics?.reports !== true) return [];
  const formats = reports?.formats ?? DEFAULT_REPORTS_SETTINGS.formats;
  if (formats.includes('json')) return [];
  return [
    {
      field: 'metrics.reports',
      message: 'the watch page reads the JSON reports: add json to reports.formats',
    },
  ];
}

function loadJobs(
  configDir: string,
  base: string,
  kind: JobsFileKind,
  required: boolean,
  { problems, warnings }: { problems: ConfigProblem[]; warnings: string[] },
  files: { watchJobs?: string; manualJobs?: string },
): readonly Job[] {
  const located = locateYamlFile(configDir, base, problems);
  if (located.status === 'absent') {
    if (required) {
      const mode =
        kind === 'watch'
          ? '--watch runs the jobs of this file'
          : 'a run without --watch uses the jobs of this file';
      problems.push({ file: located.expected, message: `not found (${mode})` });
    }
    return [];
  }
  if (located.status !== 'found') return [];
  if (kind === 'watch') files.watchJobs = located.path;
  else files.manualJobs = located.path;
  const raw = readYamlFile(located.path, problems);
  if (raw === undefined) return [];
  const { jobs, problems: jobProblems } = parseJobsFile(raw, kind);
  for (const problem of jobProblems) problems.push({ file: located.path, ...problem });
  for (const warning of ignoredKeyWarnings(raw, kind)) warnings.push(`${located.path}: ${warning}`);
  if (jobProblems.length === 0 && jobs.length === 0 && required) {
    problems.push({ file: located.path, message: 'declares no jobs' });
  }
  return jobs;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Last line of defence: no secret value may reach a terminal or a log. */
function scrub(problem: ConfigProblem, secrets: readonly string[]): ConfigProblem {
  let message = problem.message;
  for (const secret of secrets) {
    if (secret.length >= 3) message = message.split(secret).join('***');
  }
  return message === problem.message ? problem : { ...problem, message };
}
