/** One thing wrong with the configuration, located as precisely as we can. */
export interface ConfigProblem {
  /** The file as the user would type it, e.g. `config/jobs.yaml`. */
  readonly file: string;
  /** The job's name when it has a usable one. */
  readonly job?: string;
  /** 1-based position of the job in its file, used when the job has no usable name. */
  readonly jobIndex?: number;
  /** An entry of a list section of config.yaml, e.g. `notifications[2] "audit"`. */
  readonly entry?: string;
  /** Dotted path of the key, with list indexes: `tag_regexps[1]`. */
  readonly field?: string;
  readonly message: string;
}

/**
 * Every problem found in the config folder at once (behaviour.md section 5), so that the
 * operator fixes them in one go. Messages never contain a secret.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }

  /** One line per problem: `config/jobs.yaml: job "clean-dev" field tag_regexps[1]: ...`. */
  format(): string {
    const count = this.problems.length;
    const heading = `Invalid configuration (${count} ${count === 1 ? 'problem' : 'problems'}):`;
    return [heading, ...this.problems.map((problem) => `  ${formatProblem(problem)}`)].join('\n');
  }
}

export function formatProblem(problem: ConfigProblem): string {
  const where: string[] = [];
  if (problem.job !== undefined) where.push(`job "${problem.job}"`);
  else if (problem.jobIndex !== undefined) where.push(`job #${problem.jobIndex}`);
  if (problem.entry !== undefined) where.push(problem.entry);
  if (problem.field !== undefined) where.push(`field ${problem.field}`);
  const location = where.length > 0 ? ` ${where.join(' ')}:` : '';
  return `${problem.file}:${location} ${problem.message}`;
}
