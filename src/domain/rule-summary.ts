import { formatDayCount } from './describe-time.js';
import { selectorLabel, type Job } from './job.js';

/** One rule of a job, in words: what notifications and reports show under "Rules". */
export interface RuleLine {
  /** Stable, for machines (webhook payloads, tests). */
  readonly key: string;
  /** Short, for people. */
  readonly label: string;
  readonly value: string;
}

/**
 * What a job keeps and deletes, in the order a reader needs it (issue 27, item 6). The one
 * place every output takes a job's rules from: a new rule (order_by, keep_regexps...) is one
 * more line here and shows in every notification and report at once.
 */
export function ruleSummary(job: Job): readonly RuleLine[] {
  const patterns = job.tagPatterns.map((pattern) => pattern.source);
  return [
    {
      key: 'repositories',
      label: 'Repositories',
      value: job.repositories.map(selectorLabel).join(', '),
    },
    {
      key: 'tag_regexps',
      label: 'Tag patterns',
      value: patterns.length === 0 ? 'none (nothing is deleted)' : patterns.join(', '),
    },
    {
      key: 'older_than_days',
      label: 'Older than',
      value: `${formatDayCount(job.olderThanDays)} (younger tags are kept)`,
    },
    {
      key: 'save_last',
      label: 'Save last',
      value: `${String(job.saveLast)} newest old ${job.saveLast === 1 ? 'tag' : 'tags'} per pattern kept`,
    },
  ];
}

/** The rules on one line, for chat previews and plain text: `Label: value; Label: value`. */
export function ruleSummaryText(job: Job): string {
  return ruleSummary(job)
    .map((line) => `${line.label}: ${line.value}`)
    .join('; ');
}
