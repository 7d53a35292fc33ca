import { formatDayCount } from './describe-time.js';
import { selectorLabel, type Job, type Pattern } from './job.js';
import { DEFAULT_TAG_ORDER, type TagOrder } from './tag-order.js';

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
      value: `${String(job.saveLast)} ${savedOldTags(job)} per pattern kept`,
    },
    ...orderLine(job.orderBy ?? DEFAULT_TAG_ORDER),
    ...keepLine(job.keepPatterns ?? []),
  ];
}

/** "newest old tags" (created), "highest old tags by semver" (issue 22). */
function savedOldTags(job: Job): string {
  const tags = job.saveLast === 1 ? 'tag' : 'tags';
  const order = job.orderBy ?? DEFAULT_TAG_ORDER;
  return order === 'created' ? `newest old ${tags}` : `highest old ${tags} by ${order}`;
}

/** Shown only when it is not the default, which the save_last line already says (newest). */
function orderLine(order: TagOrder): RuleLine[] {
  switch (order) {
    case 'created':
      return [];
    case 'semver':
      return [
        {
          key: 'order_by',
          label: 'Order',
          value: 'semver: SemVer 2.0 precedence; tags that are not versions are kept',
        },
      ];
    case 'natural':
      return [{ key: 'order_by', label: 'Order', value: 'natural: digit runs compare as numbers' }];
  }
}

function keepLine(patterns: readonly Pattern[]): RuleLine[] {
  if (patterns.length === 0) return [];
  const sources = patterns.map((pattern) => pattern.source).join(', ');
  return [{ key: 'keep_regexps', label: 'Never deleted', value: `tags matching ${sources}` }];
}

/** The rules on one line, for chat previews and plain text: `Label: value; Label: value`. */
export function ruleSummaryText(job: Job): string {
  return ruleSummary(job)
    .map((line) => `${line.label}: ${line.value}`)
    .join('; ');
}
