import { createRequire } from 'node:module';
import type CronParser from 'cron-parser';

/** When a cron expression next fires, or why it cannot be planned. */
export type CronFiring = { readonly at: Date } | { readonly problem: string };

/**
 * The next firing of `expression` strictly after `after`, in local time. This is the only
 * place that reads cron: the scheduler plans with it and the config check validates with it,
 * so an expression that passes the check is one the scheduler can plan (issue 14: a separate
 * grammar once accepted `? * L`, which cron-parser cannot plan, and the job waited a year).
 * Planning the first firing is part of the check: cron-parser parses some expressions that
 * never fire (`L` alone as a weekday, 31 February and April) and only fails on `next()`.
 */
export function nextCronFiring(expression: string, after: Date): CronFiring {
  try {
    return {
      at: parser().parseExpression(expression, { currentDate: after }).next().toDate(),
    };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

let loaded: typeof CronParser | undefined;

/**
 * cron-parser (and luxon behind it) is loaded on first use: the config check imports this
 * module in every mode, but only watch jobs with a `schedule` need it.
 */
function parser(): typeof CronParser {
  loaded ??= createRequire(import.meta.url)('cron-parser') as typeof CronParser;
  return loaded;
}
