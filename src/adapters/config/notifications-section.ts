import Joi from 'joi';
import {
  ALL_JOBS,
  DEFAULT_NOTIFY_ON,
  NOTIFY_ON_VALUES,
  type NotifyOn,
} from '../../domain/notification-policy.js';
import {
  KIND_SETTINGS,
  kindSettings,
  type KindKey,
  NOTIFICATION_TYPES,
  type NotificationTarget,
  type NotificationType,
  type TargetBase,
  targetHost,
} from '../notify/notification-settings.js';
import { resolveEnvReference, isEnvReference } from './env-reference.js';
import { joiProblems, validateWith } from './joi-problems.js';
import { parseDuration } from './duration.js';
import { isPlainObject } from './config-yaml.js';

// --check-config names each target's host the way notifications do (cli reads it through config).
export { targetHost };

/** One problem of the `notifications:` list of config.yaml, located by entry and field. */
export interface NotificationProblem {
  readonly entry?: string;
  readonly field?: string;
  readonly message: string;
}

export interface NotificationsSection {
  readonly targets: readonly NotificationTarget[];
  readonly problems: readonly NotificationProblem[];
  /**
   * With `skipUnset`: the targets left out because an `__ENV` variable they name is not set or
   * empty, one sentence each (the target and the variables, never a value).
   */
  readonly skipped: readonly string[];
  /** Resolved URLs, secrets, header values and SMTP passwords: scrubbed from every message. */
  readonly secrets: readonly string[];
}

const DEFAULT_REPEAT_INTERVAL = '6h';

/** Every kind's keys, merged: kinds that share a key (url, headers) share its schema. */
const KIND_KEYS: Readonly<Record<string, KindKey>> = Object.assign(
  {},
  ...KIND_SETTINGS.map((kind) => kind.keys),
) as Record<string, KindKey>;
const TYPED_KEYS = Object.keys(KIND_KEYS);
/** Keys whose value may be `"__ENV: NAME"`: they carry tokens and passwords. */
const ENV_KEYS = TYPED_KEYS.filter((key) => KIND_KEYS[key]?.env === 'value');
/** Mappings whose values may be `"__ENV: NAME"` (headers). */
const ENV_MAPPINGS = TYPED_KEYS.filter((key) => KIND_KEYS[key]?.env === 'entries');
const ENV_PLACES = `${ENV_KEYS.join(', ')} and ${ENV_MAPPINGS.map((key) => `${key.replace(/s$/, '')} values`).join(', ')}`;

/** The keys of one entry: `describe()` would list them too, but costs 10-40 ms at every start. */
const ENTRY_SCHEMAS = {
  name: Joi.string().trim().min(1).required(),
  type: Joi.string()
    .valid(...NOTIFICATION_TYPES)
    .required(),
  ...Object.fromEntries(TYPED_KEYS.map((key) => [key, KIND_KEYS[key]?.schema])),
  on: Joi.array()
    .items(Joi.string().valid(...NOTIFY_ON_VALUES))
    .min(1),
  jobs: Joi.array().items(Joi.string()).min(1),
  repeat_interval: Joi.alternatives(Joi.number().greater(0), Joi.string()).messages({
    'alternatives.match': 'must be a duration such as 30m, 6h or 1d (a bare number means hours)',
  }),
};

const entrySchema = Joi.object(ENTRY_SCHEMAS);

const ENTRY_KEYS = Object.keys(ENTRY_SCHEMAS);

/**
 * config.yaml's `notifications:` (issue 11) -> targets, or every problem found. `knownJobs`
 * holds the job names of jobs.yaml and manual.yaml; undefined skips the job-name check (a jobs
 * file that failed to load would make every name look unknown).
 */
export function parseNotificationsSection(
  raw: unknown,
  env: NodeJS.ProcessEnv,
  knownJobs: ReadonlySet<string> | undefined,
  options: { readonly skipUnset?: boolean } = {},
): NotificationsSection {
  if (raw === undefined || raw === null) {
    return { targets: [], problems: [], secrets: [], skipped: [] };
  }
  if (!Array.isArray(raw)) {
    return {
      targets: [],
      problems: [{ field: 'notifications', message: 'must be a list of targets ("- name: ...")' }],
      secrets: [],
      skipped: [],
    };
  }
  const targets: NotificationTarget[] = [];
  const problems: NotificationProblem[] = [];
  const secrets: string[] = [];
  const skipped: string[] = [];
  const firstIndexByName = new Map<string, number>();
  raw.forEach((entry: unknown, index) => {
    const name = isPlainObject(entry) && typeof entry.name === 'string' ? entry.name.trim() : '';
    const label = `notifications[${index}]${name === '' ? '' : ` "${name}"`}`;
    const found: Found = [];
    if (name !== '') {
      const first = firstIndexByName.get(name);
      if (first === undefined) firstIndexByName.set(name, index);
      else {
        found.push({
          field: 'name',
          message: `notifications[${first}] has the same name; names must be unique`,
        });
      }
    }
    const target = parseEntry(entry, env, knownJobs, found, secrets);
    const unset = [...new Set(found.flatMap((problem) => problem.unset ?? []))];
    // A restore needs only what it uses: a target it cannot reach is left out, not fatal.
    if (options.skipUnset === true && unset.length > 0 && found.every(isFromUnset(found))) {
      skipped.push(
        `${label} skipped: ${unset.join(', ')} ${unset.length === 1 ? 'is' : 'are'} not set or empty`,
      );
      return;
    }
    problems.push(
      ...found.map(({ field, message }) => ({
        entry: label,
        ...(field === undefined ? {} : { field }),
        message,
      })),
    );
    if (target !== undefined) targets.push(target);
  });
  return { targets: problems.length > 0 ? [] : targets, problems, secrets, skipped };
}

/** An unset variable, or a field that is missing only because its variable is unset. */
function isFromUnset(found: Found): (problem: Found[number]) => boolean {
  const fields = new Set(
    found.filter((problem) => problem.unset !== undefined).map((p) => p.field),
  );
  return (problem) => problem.unset !== undefined || fields.has(problem.field);
}

type Found = { field?: string; message: string; unset?: string }[];

function parseEntry(
  entry: unknown,
  env: NodeJS.ProcessEnv,
  knownJobs: ReadonlySet<string> | undefined,
  found: Found,
  secrets: string[],
): NotificationTarget | undefined {
  if (!isPlainObject(entry)) {
    found.push({ message: 'must be a mapping with keys name, type, url...' });
    return undefined;
  }
  const input = resolveReferences(entry, env, found, secrets);
  const handled = new Set(found.map((problem) => problem.field ?? ''));
  const { value, error } = validateWith(entrySchema, input);
  const joiFound = joiProblems(error, ENTRY_KEYS).filter(
    (problem) => !handled.has(problem.field.replace(/\..*$/, '')),
  );
  found.push(...joiFound);
  const failed = new Set([...handled, ...joiFound.map((problem) => problem.field)]);
  if (!isPlainObject(value)) return undefined;
  const common = commonFields(value, knownJobs, failed, found);
  if (failed.has('type') || typeof value.type !== 'string') return undefined;
  const kind = kindSettings(value.type as NotificationType);
  const ownKeys = Object.keys(kind.keys);
  for (const key of TYPED_KEYS) {
    if (key in entry && !ownKeys.includes(key)) {
      found.push({ field: key, message: `is not used by type ${kind.type} (${usedBy(key)})` });
    }
  }
  return kind.toTarget({ value, common, failed, found, secrets });
}

/** Replaces `__ENV` references by their values; a reference anywhere else is a mistake. */
function resolveReferences(
  entry: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  found: Found,
  secrets: string[],
): Record<string, unknown> {
  const input: Record<string, unknown> = { ...entry };
  const resolve = (field: string, raw: unknown): unknown => {
    const resolution = resolveEnvReference(raw, env);
    if (resolution.kind === 'error') {
      const unset = resolution.unset === undefined ? {} : { unset: resolution.unset };
      found.push({ field, message: resolution.message, ...unset });
      return undefined;
    }
    if (resolution.kind === 'literal') {
      if (typeof resolution.value === 'string') secrets.push(resolution.value);
      return resolution.value;
    }
    if (resolution.value === '') {
      const message = `environment variable ${resolution.variable} is empty`;
      found.push({ field, message, unset: resolution.variable });
      return undefined;
    }
    secrets.push(resolution.value);
    return resolution.value;
  };
  for (const key of ENV_KEYS) if (key in entry) input[key] = resolve(key, entry[key]);
  for (const key of ENV_MAPPINGS) {
    const mapping = entry[key];
    if (!isPlainObject(mapping)) continue;
    input[key] = Object.fromEntries(
      Object.entries(mapping).map(([name, raw]) => [name, resolve(`${key}.${name}`, raw)]),
    );
  }
  for (const [key, raw] of Object.entries(entry)) {
    if (!ENV_KEYS.includes(key) && isEnvReference(raw)) {
      found.push({
        field: key,
        message: `"__ENV:" references work only for ${ENV_PLACES}`,
      });
      input[key] = undefined;
    }
  }
  return input;
}

function commonFields(
  value: Record<string, unknown>,
  knownJobs: ReadonlySet<string> | undefined,
  failed: ReadonlySet<string>,
  found: Found,
): TargetBase {
  const jobs = Array.isArray(value.jobs) ? (value.jobs as string[]) : [ALL_JOBS];
  if (knownJobs !== undefined && !failed.has('jobs')) {
    jobs.forEach((job, index) => {
      if (job !== ALL_JOBS && !knownJobs.has(job)) {
        const known = [...knownJobs].sort().join(', ');
        found.push({
          field: `jobs[${index}]`,
          message: `"${job}" is not a job of jobs.yaml or manual.yaml (${known === '' ? 'none declared' : `known: ${known}`}; "*" means every job)`,
        });
      }
    });
  }
  let repeatIntervalMs = 0;
  if (!failed.has('repeat_interval')) {
    const parsed = parseDuration(value.repeat_interval ?? DEFAULT_REPEAT_INTERVAL);
    if (parsed.ok) repeatIntervalMs = parsed.ms;
    else found.push({ field: 'repeat_interval', message: parsed.message });
  }
  return {
    name: typeof value.name === 'string' ? value.name.trim() : '',
    on: Array.isArray(value.on) ? (value.on as NotifyOn[]) : DEFAULT_NOTIFY_ON,
    jobs,
    repeatIntervalMs,
  };
}

function usedBy(key: string): string {
  const types = KIND_SETTINGS.filter((kind) => key in kind.keys).map((kind) => kind.type);
  return `only ${types.join(' and ')} ${types.length === 1 ? 'uses' : 'use'} it`;
}
