import Joi from 'joi';
import {
  ALL_JOBS,
  DEFAULT_NOTIFY_ON,
  NOTIFY_ON_VALUES,
  type NotifyOn,
} from '../../domain/notification-policy.js';
import {
  NOTIFICATION_TYPES,
  type NotificationTarget,
  type NotificationType,
} from '../notify/notification-target.js';
import { resolveEnvReference, isEnvReference } from './env-reference.js';
import { joiProblems, validateWith } from './joi-problems.js';
import { parseDuration } from './duration.js';
import { isPlainObject } from './registry-config.js';

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

/** Keys whose value may be `"__ENV: NAME"` (header values too): they carry tokens and passwords. */
const ENV_KEYS = ['url', 'secret', 'smtp_url'] as const;

const EMAIL = Joi.string().email({ tlds: { allow: false }, minDomainSegments: 1 });

const entrySchema = Joi.object({
  name: Joi.string().trim().min(1).required(),
  type: Joi.string()
    .valid(...NOTIFICATION_TYPES)
    .required(),
  url: Joi.string(),
  secret: Joi.string(),
  headers: Joi.object().pattern(Joi.string(), Joi.string()),
  smtp_url: Joi.string(),
  from: EMAIL,
  to: Joi.alternatives(EMAIL, Joi.array().items(EMAIL).min(1)).messages({
    'alternatives.match': 'must be an e-mail address or a list of them',
  }),
  on: Joi.array()
    .items(Joi.string().valid(...NOTIFY_ON_VALUES))
    .min(1),
  jobs: Joi.array().items(Joi.string()).min(1),
  repeat_interval: Joi.alternatives(Joi.number().greater(0), Joi.string()).messages({
    'alternatives.match': 'must be a duration such as 30m, 6h or 1d (a bare number means hours)',
  }),
});

const ENTRY_KEYS = Object.keys(entrySchema.describe().keys as object);

/** Which keys belong to which type: anything else on an entry is a mistake worth naming. */
const KEYS_OF: Record<NotificationType, readonly string[]> = {
  slack: ['url', 'headers'],
  teams: ['url', 'headers'],
  webhook: ['url', 'headers', 'secret'],
  email: ['smtp_url', 'from', 'to'],
};
const TYPED_KEYS = ['url', 'headers', 'secret', 'smtp_url', 'from', 'to'];

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
  const type = value.type as NotificationType;
  for (const key of TYPED_KEYS) {
    if (key in entry && !KEYS_OF[type].includes(key)) {
      found.push({ field: key, message: `is not used by type ${type} (${usedBy(key)})` });
    }
  }
  if (type === 'email') return emailTarget(value, common, failed, found, secrets);
  return httpTarget(type, value, common, failed, found);
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
  if (isPlainObject(entry.headers)) {
    input.headers = Object.fromEntries(
      Object.entries(entry.headers).map(([name, raw]) => [name, resolve(`headers.${name}`, raw)]),
    );
  }
  for (const [key, raw] of Object.entries(entry)) {
    if (!(ENV_KEYS as readonly string[]).includes(key) && isEnvReference(raw)) {
      found.push({
        field: key,
        message: '"__ENV:" references work only for url, secret, smtp_url and header values',
      });
      input[key] = undefined;
    }
  }
  return input;
}

interface Common {
  readonly name: string;
  readonly on: readonly NotifyOn[];
  readonly jobs: readonly string[];
  readonly repeatIntervalMs: number;
}

function commonFields(
  value: Record<string, unknown>,
  knownJobs: ReadonlySet<string> | undefined,
  failed: ReadonlySet<string>,
  found: Found,
): Common {
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

function httpTarget(
  type: 'slack' | 'teams' | 'webhook',
  value: Record<string, unknown>,
  common: Common,
  failed: ReadonlySet<string>,
  found: Found,
): NotificationTarget | undefined {
  const url = typeof value.url === 'string' ? value.url.trim() : undefined;
  if (url === undefined) {
    if (!failed.has('url')) found.push({ field: 'url', message: `is required for type ${type}` });
  } else {
    const problem = checkHttpUrl(url);
    if (problem !== undefined) found.push({ field: 'url', message: problem });
  }
  const headers = isPlainObject(value.headers) ? (value.headers as Record<string, string>) : {};
  for (const [name, headerValue] of Object.entries(headers)) {
    const problem = checkHeader(name, headerValue);
    if (problem !== undefined) found.push({ field: `headers.${name}`, message: problem });
  }
  let signingKey: Buffer | undefined;
  if (typeof value.secret === 'string') {
    signingKey = decodeSigningSecret(value.secret);
    if (signingKey === undefined) {
      found.push({
        field: 'secret',
        message:
          'must be a Standard Webhooks secret: "whsec_" and the base64 of 24 to 64 random bytes (e.g. "whsec_$(openssl rand -base64 32)")',
      });
    }
  }
  if (found.length > 0 || url === undefined) return undefined;
  return { ...common, type, url, headers, ...(signingKey === undefined ? {} : { signingKey }) };
}

function emailTarget(
  value: Record<string, unknown>,
  common: Common,
  failed: ReadonlySet<string>,
  found: Found,
  secrets: string[],
): NotificationTarget | undefined {
  for (const key of ['smtp_url', 'from', 'to']) {
    if (value[key] === undefined && !failed.has(key)) {
      found.push({ field: key, message: 'is required for type email' });
    }
  }
  const smtpUrl = typeof value.smtp_url === 'string' ? value.smtp_url.trim() : undefined;
  if (smtpUrl !== undefined) {
    const parsed = parseUrl(smtpUrl);
    if (
      parsed === undefined ||
      !['smtp:', 'smtps:'].includes(parsed.protocol) ||
      parsed.hostname === ''
    ) {
      found.push({
        field: 'smtp_url',
        message: 'must be smtp://[user:password@]host[:port] or smtps://... (STARTTLS or TLS)',
      });
    } else if (parsed.password !== '') {
      secrets.push(decodeURIComponent(parsed.password));
    }
  }
  const to = typeof value.to === 'string' ? [value.to] : Array.isArray(value.to) ? value.to : [];
  if (found.length > 0 || smtpUrl === undefined || typeof value.from !== 'string') return undefined;
  return { ...common, type: 'email', smtpUrl, from: value.from, to: to as string[] };
}

function checkHttpUrl(url: string): string | undefined {
  const parsed = parseUrl(url);
  if (
    parsed === undefined ||
    !['http:', 'https:'].includes(parsed.protocol) ||
    parsed.host === ''
  ) {
    return 'must be an http:// or https:// URL';
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'must not contain user:password@; send credentials in headers (e.g. Authorization)';
  }
  return undefined;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Set by the sender itself: a configured value would break the body or its signature. */
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

function checkHeader(name: string, value: string): string | undefined {
  if (!HEADER_NAME.test(name)) return 'is not a valid HTTP header name';
  if (RESERVED_HEADERS.has(name.toLowerCase())) return 'is set by reg-cleaner itself';
  // Never quote the value: it is often a token.
  if (/[\r\n\0]/.test(value)) return 'must not contain line breaks or NUL characters';
  return undefined;
}

/** Standard Webhooks serialises symmetric keys as `whsec_` + base64 (24..64 bytes). */
function decodeSigningSecret(secret: string): Buffer | undefined {
  const encoded = secret.trim().replace(/^whsec_/, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length >= 24 && key.length <= 64 ? key : undefined;
}

function usedBy(key: string): string {
  const types = NOTIFICATION_TYPES.filter((type) => KEYS_OF[type].includes(key));
  return `only ${types.join(' and ')} ${types.length === 1 ? 'uses' : 'use'} it`;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
