/**
 * What a GitHub Actions step offers a program (issue 24 item 4), read from the environment in
 * this one place: the step summary (Markdown), the step outputs file and the annotations that
 * the runner reads from stdout.
 */
export interface GitHubActions {
  /** GITHUB_STEP_SUMMARY: the Markdown report is appended there (when md is a format). */
  readonly stepSummaryFile?: string;
  /** GITHUB_OUTPUT: the run's counts and report path are appended there as step outputs. */
  readonly outputFile?: string;
  /** GITHUB_ACTIONS=true: job warnings and failures are printed as `::warning::`/`::error::`. */
  readonly annotations: boolean;
}
export const GitHubActions = Symbol('GitHubActions');

/** Outside GitHub (or another CI that sets none of these): nothing is written. */
export const NOT_IN_GITHUB: GitHubActions = { annotations: false };

export function gitHubActionsFrom(
  env: Readonly<Record<string, string | undefined>>,
): GitHubActions {
  const summary = nonEmpty(env['GITHUB_STEP_SUMMARY']);
  const output = nonEmpty(env['GITHUB_OUTPUT']);
  return {
    ...(summary === undefined ? {} : { stepSummaryFile: summary }),
    ...(output === undefined ? {} : { outputFile: output }),
    annotations: env['GITHUB_ACTIONS'] === 'true',
  };
}

/** Whether a run has anything to give the step (outputs or annotations; the summary aside). */
export function wantsStepResults(github: GitHubActions): boolean {
  return github.outputFile !== undefined || github.annotations;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
