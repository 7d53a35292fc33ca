import Joi from 'joi';
import {
  SHARED_DIGEST_POLICIES,
  type Job,
  type Pattern,
  type RepositorySelector,
  type SharedDigestPolicy,
} from '../../domain/job.js';
import { TAG_ORDERS, type TagOrder } from '../../domain/tag-order.js';
import { checkCron } from './cron-check.js';
import { joiProblems, validateWith } from './joi-problems.js';
import { checkPattern } from './pattern-check.js';
import { isPlainObject } from './config-yaml.js';

/** jobs.yaml (watch mode, periodic) or manual.yaml (one-shot). */
export type JobsFileKind = 'watch' | 'manual';

export interface JobProblem {
  readonly job?: string;
  readonly jobIndex?: number;
  readonly field?: string;
  readonly message: string;
}

interface ValidatedJob {
  readonly name: string;
  readonly description?: string | null;
  readonly repositories: readonly string[];
  readonly tag_regexps: readonly string[];
  readonly save_last: number;
  readonly older_than_days: number;
  readonly order_by?: TagOrder;
  readonly keep_regexps?: readonly string[];
  readonly clean_every_n_hours?: number | null;
  readonly schedule?: string;
  readonly fail_on_warning?: boolean;
  readonly shared_digest?: SharedDigestPolicy;
  readonly delete_orphaned_referrers?: boolean;
}

const COMMON_KEYS = {
  name: Joi.string().required(),
  description: Joi.string().allow('', null),
  repositories: Joi.array().items(Joi.string()).min(1).required(),
  tag_regexps: Joi.array().items(Joi.string()).min(1).required(),
  save_last: Joi.number().integer().min(0).required(),
  older_than_days: Joi.number().min(0).required(),
  order_by: Joi.string()
    .valid(...TAG_ORDERS)
    .messages({ 'any.only': `must be one of ${TAG_ORDERS.join(', ')}` }),
  // May be empty: a template can list none yet.
  keep_regexps: Joi.array().items(Joi.string()),
  // Strict: "yes" or "1" is a mistake to name, not a truth to guess.
  fail_on_warning: Joi.boolean().strict(),
  // Issue 21: strict values only; a typo must not silently mean "keep" (or "untag").
  shared_digest: Joi.string()
    .valid(...SHARED_DIGEST_POLICIES)
    .messages({ 'any.only': `must be one of ${SHARED_DIGEST_POLICIES.join(', ')}` }),
  delete_orphaned_referrers: Joi.boolean().strict(),
};

const WATCH_JOB_KEYS = {
  ...COMMON_KEYS,
  // A cron schedule replaces the interval, so the interval is only required without one.
  clean_every_n_hours: Joi.number()
    .greater(0)
    .when('schedule', { is: Joi.exist(), then: Joi.optional(), otherwise: Joi.required() }),
  schedule: Joi.string(),
};

const MANUAL_JOB_KEYS = {
  ...COMMON_KEYS,
  // Accepted for compatibility, ignored: manual jobs always run (behaviour.md section 1).
  clean_every_n_hours: Joi.number().min(0).allow(null),
};

const watchJobSchema = Joi.object<ValidatedJob>(WATCH_JOB_KEYS);
const manualJobSchema = Joi.object<ValidatedJob>(MANUAL_JOB_KEYS);

// From the key maps, not `schema.describe()`: that walks and validates the whole schema, 10-40 ms
// of every start-up (issue 25).
const WATCH_KEYS = Object.keys(WATCH_JOB_KEYS);
const MANUAL_KEYS = Object.keys(MANUAL_JOB_KEYS);

/** One component of a repository name (distribution/reference grammar). */
const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY_NAME = new RegExp(`^${NAME_COMPONENT}(?:/${NAME_COMPONENT})*$`);

/**
 * Keys a jobs file accepts but ignores (issue 27): `clean_every_n_hours` in manual.yaml is
 * forced to 0 (behaviour.md section 1), kept valid so that existing configs still load, but
 * said so, naming the job. One sentence per job, without the file.
 */
export function ignoredKeyWarnings(raw: unknown, kind: JobsFileKind): string[] {
  if (kind !== 'manual' || !Array.isArray(raw)) return [];
  const warnings: string[] = [];
  raw.forEach((entry: unknown, index) => {
    if (!isPlainObject(entry)) return;
    const hours = entry.clean_every_n_hours;
    if (hours === undefined || hours === null || hours === 0) return;
    const job = typeof entry.name === 'string' ? `job "${entry.name}"` : `job #${index + 1}`;
    warnings.push(
      `${job}: clean_every_n_hours is ignored in manual.yaml (manual jobs run when asked; the interval belongs in jobs.yaml)`,
    );
  });
  return warnings;
}

/** A parsed jobs file -> domain jobs, or every problem in it. */
export function parseJobsFile(
  raw: unknown,
  kind: JobsFileKind,
): { jobs: Job[]; problems: JobProblem[] } {
  if (!Array.isArray(raw)) {
    return {
      jobs: [],
      problems: [
        { message: 'must be a YAML list of jobs (each entry starting with "- name: ...")' },
      ],
    };
  }
  const jobs: Job[] = [];
  const problems: JobProblem[] = [];
  const firstIndexByName = new Map<string, number>();
  raw.forEach((entry: unknown, index) => {
    const where = locate(entry, index + 1);
    const name = where.job;
    if (name !== undefined) {
      const first = firstIndexByName.get(name);
      if (first === undefined) firstIndexByName.set(name, index + 1);
      else {
        problems.push({
          ...where,
          field: 'name',
          message: `jobs #${first} and #${index + 1} have the same name; job names must be unique in a file`,
        });
      }
    }
    const parsed = parseJob(entry, kind);
    problems.push(...parsed.problems.map((problem) => ({ ...where, ...problem })));
    if (parsed.job !== undefined) jobs.push(parsed.job);
  });
  return { jobs: problems.length > 0 ? [] : jobs, problems };
}

function parseJob(
  entry: unknown,
  kind: JobsFileKind,
): { job?: Job; problems: { field?: string; message: string }[] } {
  if (!isPlainObject(entry)) {
    return {
      problems: [{ message: 'must be a mapping with keys name, repositories, tag_regexps, ...' }],
    };
  }
  const schema = kind === 'watch' ? watchJobSchema : manualJobSchema;
  const { value, error } = validateWith(schema, entry);
  const problems: { field?: string; message: string }[] = joiProblems(
    error,
    kind === 'watch' ? WATCH_KEYS : MANUAL_KEYS,
  ).map((problem) =>
    problem.field === 'schedule' && kind === 'manual'
      ? { field: 'schedule', message: 'is only allowed in jobs.yaml (manual jobs run when asked)' }
      : problem,
  );
  if (typeof entry.name === 'string' && entry.name.trim() === '' && entry.name !== '') {
    problems.push({ field: 'name', message: 'must not be blank' });
  }
  const repositories = parseRepositories(entry.repositories, problems);
  const tagPatterns = parsePatterns(entry.tag_regexps, 'tag_regexps', problems);
  const keepPatterns = parsePatterns(entry.keep_regexps, 'keep_regexps', problems);
  if (typeof entry.schedule === 'string' && kind === 'watch') {
    const cronProblem = checkCron(entry.schedule);
    if (cronProblem !== undefined)
      problems.push({ field: 'schedule', message: `invalid cron expression: ${cronProblem}` });
  }
  if (problems.length > 0) return { problems };

  const job = value as ValidatedJob;
  const description = job.description ?? undefined;
  return {
    problems,
    job: {
      name: job.name,
      ...(description !== undefined && description !== '' ? { description } : {}),
      repositories,
      tagPatterns,
      saveLast: job.save_last,
      olderThanDays: job.older_than_days,
      ...(job.order_by === undefined ? {} : { orderBy: job.order_by }),
      ...(keepPatterns.length === 0 ? {} : { keepPatterns }),
      cleanEveryHours: kind === 'manual' ? 0 : (job.clean_every_n_hours ?? 0),
      ...(kind === 'watch' && job.schedule !== undefined ? { schedule: job.schedule.trim() } : {}),
      ...(job.fail_on_warning === true ? { failOnWarning: true } : {}),
      ...(job.shared_digest === undefined ? {} : { sharedDigest: job.shared_digest }),
      ...(job.delete_orphaned_referrers === undefined
        ? {}
        : { deleteOrphanedReferrers: job.delete_orphaned_referrers }),
    },
  };
}

/** `r/<regex>/` selects over the catalog; anything else is a literal name (`team/app`). */
function parseRepositories(
  raw: unknown,
  problems: { field?: string; message: string }[],
): RepositorySelector[] {
  const selectors: RepositorySelector[] = [];
  if (!Array.isArray(raw)) return selectors;
  raw.forEach((entry: unknown, index) => {
    if (typeof entry !== 'string' || entry === '') return; // joi reported it
    const field = `repositories[${index}]`;
    if (entry.startsWith('r/') && entry.endsWith('/') && entry.length >= 3) {
      const source = entry.slice(2, -1);
      if (source === '') {
        problems.push({ field, message: 'r// holds an empty regular expression' });
        return;
      }
      const check = checkPattern(source);
      if (check.ok) selectors.push({ kind: 'pattern', pattern: check.pattern });
      else problems.push({ field, message: check.message });
      return;
    }
    if (!REPOSITORY_NAME.test(entry)) {
      const looksLikeRegex = /[\\^$*+?()[\]{}|]/.test(entry);
      const hint = looksLikeRegex
        ? '; to select repositories by regular expression write r/<regex>/'
        : '';
      problems.push({
        field,
        message: `"${entry}" is not a valid repository name (lowercase letters, digits, separators . _ __ -, path components joined by /)${hint}`,
      });
      return;
    }
    selectors.push({ kind: 'literal', name: entry });
  });
  return selectors;
}

/** tag_regexps and keep_regexps: same syntax, same messages and Python hints. */
function parsePatterns(
  raw: unknown,
  key: 'tag_regexps' | 'keep_regexps',
  problems: { field?: string; message: string }[],
): Pattern[] {
  const patterns: Pattern[] = [];
  if (!Array.isArray(raw)) return patterns;
  raw.forEach((entry: unknown, index) => {
    if (typeof entry !== 'string' || entry === '') return; // joi reported it
    const check = checkPattern(entry);
    if (check.ok) patterns.push(check.pattern);
    else problems.push({ field: `${key}[${index}]`, message: check.message });
  });
  return patterns;
}

function locate(entry: unknown, jobIndex: number): { job?: string; jobIndex: number } {
  if (isPlainObject(entry) && typeof entry.name === 'string' && entry.name.trim() !== '') {
    return { job: entry.name, jobIndex };
  }
  return { jobIndex };
}
