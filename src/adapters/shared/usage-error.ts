/**
 * A mistake on the command line found after parsing (selecting jobs, a folder that cannot be
 * written): the CLI's exit-codes module answers it with exit code 2 and a hint to --help.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
