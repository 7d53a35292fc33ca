import { compilePattern, type Job, type RepositorySelector } from '../../src/domain/job.js';
import type { TagOrder } from '../../src/domain/tag-order.js';

export interface JobSpec {
  readonly name?: string;
  readonly description?: string;
  /** Literal names, or `r/<regex>/` as in the YAML files. */
  readonly repositories?: readonly string[];
  /** As written in `tag_regexps`. */
  readonly tagPatterns?: readonly string[];
  readonly saveLast?: number;
  readonly olderThanDays?: number;
  readonly orderBy?: TagOrder;
  /** As written in `keep_regexps`. */
  readonly keepPatterns?: readonly string[];
  readonly cleanEveryHours?: number;
  readonly schedule?: string;
}

/**
 * A valid Job. Defaults: name 'cleanup', repository 'team/app', one pattern '.*' (every tag),
 * save_last 5, older_than_days 5, clean_every_n_hours 0 (a manual job).
 */
export function aJob(spec: JobSpec = {}): Job {
  return {
    name: spec.name ?? 'cleanup',
    ...(spec.description === undefined ? {} : { description: spec.description }),
    repositories: (spec.repositories ?? ['team/app']).map(toSelector),
    tagPatterns: (spec.tagPatterns ?? ['.*']).map(compilePattern),
    saveLast: spec.saveLast ?? 5,
    olderThanDays: spec.olderThanDays ?? 5,
    ...(spec.orderBy === undefined ? {} : { orderBy: spec.orderBy }),
    ...(spec.keepPatterns === undefined
      ? {}
      : { keepPatterns: spec.keepPatterns.map(compilePattern) }),
    cleanEveryHours: spec.cleanEveryHours ?? 0,
    ...(spec.schedule === undefined ? {} : { schedule: spec.schedule }),
  };
}

function toSelector(entry: string): RepositorySelector {
  // Same rule as the config: strip only the leading `r/` and the trailing `/`.
  if (entry.startsWith('r/') && entry.endsWith('/') && entry.length >= 3) {
    return { kind: 'pattern', pattern: compilePattern(entry.slice(2, -1)) };
  }
  return { kind: 'literal', name: entry };
}
