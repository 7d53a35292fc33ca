import { nextCronFiring } from '../shared/cron.js';

/**
 * Whether the scheduler can plan a cron expression (jobs.yaml `schedule`): the check asks the
 * scheduler's own parser for the next firing, so the two never disagree (issue 14). On top of
 * that, only 5 fields (minute first) or 6 (seconds first) are accepted, or an `@daily`-style
 * alias: cron-parser silently pads shorter expressions into a different schedule.
 * Returns undefined when the expression is acceptable, otherwise why it is not.
 */
export function checkCron(expression: string, now: Date = new Date()): string | undefined {
  const trimmed = expression.trim();
  const fields = trimmed.split(/\s+/);
  if (!trimmed.startsWith('@') && fields.length !== 5 && fields.length !== 6) {
    return `must have 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), found ${fields.length}`;
  }
  const firing = nextCronFiring(trimmed, now);
  return 'problem' in firing ? `the scheduler cannot plan it (${firing.problem})` : undefined;
}
