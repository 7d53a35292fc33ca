import { isAbsolute, resolve } from 'node:path';
import Joi from 'joi';
import { normaliseBaseUrl, type RegistrySettings } from '../registry/registry-settings.js';
import type { JournalSettings } from '../journal/journal-settings.js';
import { journalKeysSchema, journalSettingsOf } from './journal-section.js';
import { ENV_FIELDS, type EnvField, isEnvReference, resolveEnvReference } from './env-reference.js';
import { type FieldProblem, joiProblems, validateWith } from './joi-problems.js';
import { isReadableFile } from './yaml-file.js';

export type RegistryConfig = Omit<RegistrySettings, 'httpLogs'>;

/** A key that always has a value once joi has passed (required, or with a default). */
function present<T>(schema: Joi.AnySchema<T>): ConfigKey<T, true> {
  return { schema, present: true };
}
/** A key that may be missing, or null (an empty YAML value). */
function optional<T>(schema: Joi.AnySchema<T>): ConfigKey<T, false> {
  return { schema, present: false };
}
interface ConfigKey<T, Present extends boolean> {
  readonly schema: Joi.AnySchema<T>;
  readonly present: Present;
}
type ValueOf<Key> = Key extends ConfigKey<infer T, boolean> ? T : never;
/** What joi hands over, derived from the keys: no second list to keep in step. */
type Validated<Keys> = {
  readonly [K in keyof Keys as Keys[K] extends ConfigKey<unknown, true> ? K : never]: ValueOf<
    Keys[K]
  >;
} & {
  readonly [K in keyof Keys as Keys[K] extends ConfigKey<unknown, true> ? never : K]?: ValueOf<
    Keys[K]
  > | null;
};

const range = (low: number, high: number, unit = ''): Record<string, string> => {
  const message = `must be between ${low} and ${high}${unit}, got {{#value}}`;
  return { 'number.min': message, 'number.max': message };
};

/**
 * Every top-level key of config.yaml, once: the list of known keys, the joi schema and the
 * validated type all come from here.
 */
const CONFIG_YAML = {
  registry_url: present(Joi.string().required()),
  username: optional(Joi.string().allow(null)),
  password: optional(Joi.string().allow(null)),
  proxy: optional(Joi.string().allow(null, '')),
  timeout: present(
    Joi.number()
      .min(1)
      .max(120)
      .default(20)
      .messages(range(1, 120, ' seconds')),
  ),
  max_concurrent_requests: present(
    Joi.number().integer().min(1).max(1000).default(20).messages(range(1, 1000)),
  ),
  max_requests_per_second: optional(
    Joi.number().greater(0).max(100_000).allow(null).messages({
      'number.greater': 'must be a number of requests per second above 0, got {{#value}}',
      'number.max': 'must be at most 100000, got {{#value}} (leave it out for no ceiling)',
    }),
  ),
  // Seconds before the first retry (then doubled, jittered): a local registry that restarts
  // fast wants less, a hosted one that throttles wants more. Retry-After still wins.
  retry_base_delay: optional(
    Joi.number()
      .min(0.01)
      .max(60)
      .allow(null)
      .messages(range(0.01, 60, ' seconds')),
  ),
  ca_file: optional(Joi.string().allow(null)),
  insecure: present(Joi.boolean().default(false)),
  // Sections parsed by their own modules (load-config.ts); here so that they are known keys.
  metrics: optional(Joi.any()),
  log_format: optional(Joi.any()),
  journal_keep_days: present(journalKeysSchema.journal_keep_days),
  // Parsed by notifications-section.ts.
  notifications: optional(Joi.any()),
  reports: optional(Joi.any()),
};

type ValidatedConfig = Validated<typeof CONFIG_YAML>;
const CONFIG_KEYS = Object.keys(CONFIG_YAML);
const configSchema = Joi.object(
  Object.fromEntries(Object.entries(CONFIG_YAML).map(([key, { schema }]) => [key, schema])),
);

export interface RegistryConfigResult {
  readonly settings: RegistryConfig | undefined;
  readonly problems: readonly FieldProblem[];
  /** Values that must never appear in a message (scrubbed by the caller as a last defence). */
  readonly secrets: readonly string[];
  /** `journal_keep_days` (issue 16). */
  readonly journal?: JournalSettings;
}

/** config.yaml after YAML parsing -> registry settings, or the problems found. */
export function parseRegistryConfig(
  raw: unknown,
  configDir: string,
  env: NodeJS.ProcessEnv,
): RegistryConfigResult {
  if (!isPlainObject(raw)) {
    return {
      settings: undefined,
      problems: [{ field: '', message: 'must be a mapping of settings (key: value)' }],
      secrets: [],
    };
  }
  const problems: FieldProblem[] = [];
  const handled = new Set<string>();
  const secrets: string[] = [];
  const input: Record<string, unknown> = { ...raw };
  let passwordVariable: string | undefined;

  for (const field of ENV_FIELDS) {
    const resolution = resolveEnvReference(raw[field], env);
    if (resolution.kind === 'error') {
      problems.push({ field, message: resolution.message });
      handled.add(field);
      input[field] = placeholderFor(field);
    } else if (resolution.kind === 'resolved') {
      input[field] = resolution.value;
      if (isSecretField(field)) secrets.push(resolution.value);
      if (field === 'password') passwordVariable = resolution.variable;
      if (resolution.value === '' && field !== 'proxy') {
        problems.push({ field, message: `environment variable ${resolution.variable} is empty` });
        handled.add(field);
        input[field] = placeholderFor(field);
      }
    } else if (isSecretField(field) && typeof resolution.value === 'string') {
      secrets.push(resolution.value);
    }
  }
  for (const [key, value] of Object.entries(raw)) {
    if (!(ENV_FIELDS as readonly string[]).includes(key) && isEnvReference(value)) {
      problems.push({
        field: key,
        message: `"__ENV:" references work only for ${ENV_FIELDS.join(', ')}`,
      });
      handled.add(key);
      input[key] = undefined;
    }
  }

  const { value, error } = validateWith(configSchema, input);
  const joiFound = joiProblems(error, CONFIG_KEYS).filter((problem) => !handled.has(problem.field));
  problems.push(...joiFound);
  // Checks joi cannot express run on every field that passed joi, so that one run lists all.
  const failed = new Set([...handled, ...joiFound.map((problem) => problem.field)]);
  const from =
    passwordVariable === undefined ? 'config.yaml' : `config.yaml (__ENV: ${passwordVariable})`;
  const settings = toSettings(value as ValidatedConfig, configDir, failed, problems, from);
  const journal = journalSettingsOf(value as Partial<ValidatedConfig>);
  return { settings: problems.length > 0 ? undefined : settings, problems, secrets, journal };
}

function toSettings(
  config: ValidatedConfig,
  configDir: string,
  failed: ReadonlySet<string>,
  problems: FieldProblem[],
  credentialsFrom: string,
): RegistryConfig {
  const url = failed.has('registry_url') ? '' : checkRegistryUrl(config.registry_url, problems);
  const proxy = failed.has('proxy') ? undefined : checkProxy(config.proxy ?? undefined, problems);
  const username = config.username ?? undefined;
  const password = config.password ?? undefined;
  if (
    !failed.has('username') &&
    !failed.has('password') &&
    (username === undefined) !== (password === undefined)
  ) {
    const [given, missing] =
      username === undefined ? ['password', 'username'] : ['username', 'password'];
    problems.push({
      field: missing,
      message: `is required when ${given} is set (give both, or neither for anonymous access)`,
    });
  }
  let caFile: string | undefined;
  if (!failed.has('ca_file') && typeof config.ca_file === 'string') {
    caFile = isAbsolute(config.ca_file) ? config.ca_file : resolve(configDir, config.ca_file);
    const readable = isReadableFile(caFile);
    if (!readable.ok) problems.push({ field: 'ca_file', message: `${caFile} ${readable.why}` });
  }
  return {
    url,
    ...(username !== undefined && password !== undefined
      ? { credentials: { username, password }, credentialsFrom }
      : {}),
    ...(proxy !== undefined ? { proxy } : {}),
    timeoutMs: Math.round(config.timeout * 1000),
    maxConcurrentRequests: config.max_concurrent_requests,
    ...(typeof config.max_requests_per_second === 'number'
      ? { maxRequestsPerSecond: config.max_requests_per_second }
      : {}),
    ...(typeof config.retry_base_delay === 'number'
      ? { retryBaseDelayMs: Math.round(config.retry_base_delay * 1000) }
      : {}),
    ...(caFile !== undefined ? { caFile } : {}),
    insecure: config.insecure,
  };
}

/** Checks `registry_url` and normalises it as the adapter does (registry-urls.ts). */
function checkRegistryUrl(text: string, problems: FieldProblem[]): string {
  const parsed = parseUrl(text);
  if (
    parsed === undefined ||
    (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ||
    parsed.host === ''
  ) {
    problems.push({
      field: 'registry_url',
      message: 'must be an http:// or https:// URL, e.g. https://registry.example.com',
    });
    return text;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    problems.push({
      field: 'registry_url',
      message: 'must not contain credentials: use username and password',
    });
    return text;
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    problems.push({
      field: 'registry_url',
      message: 'must not contain a query (?...) or a fragment (#...)',
    });
    return text;
  }
  return normaliseBaseUrl(parsed);
}

/** The proxy URL may hold credentials: messages describe it, never quote it. */
function checkProxy(text: string | undefined, problems: FieldProblem[]): string | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const parsed = parseUrl(text.trim());
  if (
    parsed === undefined ||
    (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ||
    parsed.host === ''
  ) {
    problems.push({
      field: 'proxy',
      message: 'must be a URL like http://[user:password@]host[:port] (http or https)',
    });
    return undefined;
  }
  return text.trim();
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function isSecretField(field: EnvField): boolean {
  return field === 'password' || field === 'proxy';
}

function placeholderFor(field: EnvField): string | undefined {
  // registry_url stays "present" so that joi does not also call it missing.
  return field === 'registry_url' ? 'https://placeholder.invalid' : undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
