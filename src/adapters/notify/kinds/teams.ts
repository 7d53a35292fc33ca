import type { TeamsTarget } from './teams-settings.js';
import { JSON_TYPE, type NotificationKind } from './notification-kind.js';
import { formatBytes } from '../../shared/text/numbers.js';
import { testText, type Notice } from '../notice.js';
import {
  restoreFacts,
  restoreHeadline,
  restoreLists,
  type RestoreSummary,
} from '../restore-summary.js';
import {
  andMore,
  formatDurationMs,
  headline,
  jobLabel,
  undoAdvice,
  type ListCaps,
  type RunSummary,
} from '../run-summary.js';

/** Teams cards are limited to about 28 kB: a few tags and errors, then "and N more". */
export const TEAMS_CAPS: ListCaps = { tags: 20, errors: 15 };

const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

/**
 * A Teams Workflows webhook body ("When a Teams webhook request is received"): a message
 * whose single attachment is an Adaptive Card (1.4, which Teams renders everywhere).
 */
export function teamsMessage(notice: Notice): Record<string, unknown> {
  const body =
    notice.kind === 'test'
      ? testBody(notice)
      : notice.kind === 'restored'
        ? restoreBody(notice.summary)
        : runBody(notice.summary);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: { $schema: CARD_SCHEMA, type: 'AdaptiveCard', version: '1.4', body },
      },
    ],
  };
}

function testBody(notice: Extract<Notice, { kind: 'test' }>): Record<string, unknown>[] {
  return [
    {
      type: 'TextBlock',
      text: 'reg-cleaner test message',
      size: 'Large',
      weight: 'Bolder',
      wrap: true,
    },
    { type: 'TextBlock', text: testText(notice), wrap: true },
  ];
}

function restoreBody(summary: RestoreSummary): Record<string, unknown>[] {
  return [
    {
      type: 'TextBlock',
      text: `restore ${summary.status}${summary.dryRun ? ' (dry run)' : ''}`,
      size: 'Large',
      weight: 'Bolder',
      color: summary.status === 'succeeded' ? 'Good' : 'Attention',
      wrap: true,
    },
    { type: 'TextBlock', text: restoreHeadline(summary), isSubtle: true, wrap: true },
    {
      type: 'FactSet',
      facts: restoreFacts(summary).map(([title, value]) => ({ title, value })),
    },
    ...restoreLists(summary).flatMap((entry) => [
      { type: 'TextBlock', text: entry.title, weight: 'Bolder', wrap: true, separator: true },
      ...entry.items.map((item) => ({
        type: 'TextBlock',
        text: item,
        wrap: true,
        spacing: 'None',
      })),
      ...(entry.omitted === 0
        ? []
        : [{ type: 'TextBlock', text: andMore(entry.omitted), isSubtle: true, wrap: true }]),
    ]),
  ];
}

function runBody(summary: RunSummary): Record<string, unknown>[] {
  const failed = summary.status !== 'succeeded';
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      text: `${jobLabel(summary)}: ${summary.status}${summary.dryRun ? ' (dry run)' : ''}`,
      size: 'Large',
      weight: 'Bolder',
      color: failed ? 'Attention' : 'Good',
      wrap: true,
    },
    { type: 'TextBlock', text: headline(summary), isSubtle: true, wrap: true },
    {
      type: 'FactSet',
      facts: [
        { title: 'Registry', value: summary.registry },
        { title: 'Mode', value: `${summary.dryRun ? 'dry run' : 'real run'} (${summary.mode})` },
        { title: 'Examined', value: String(summary.counts.examined) },
        { title: 'Kept', value: String(summary.counts.kept) },
        {
          title: summary.dryRun ? 'Would delete' : 'Deleted',
          value: String(summary.counts.deleted),
        },
        {
          title: summary.dryRun ? 'Would untag' : 'Untagged',
          value: String(summary.counts.untagged),
        },
        { title: 'Failed', value: String(summary.counts.failed) },
        {
          title: 'Reclaimable',
          value: `${formatBytes(summary.reclaimableBytes)} after garbage collection`,
        },
        { title: 'Duration', value: formatDurationMs(summary.durationMs) },
        { title: 'Finished', value: summary.finishedAt },
      ],
    },
  ];
  const tags = summary.deletedTags.map((tag) => `${tag.repository}:${tag.tag}`);
  if (tags.length > 0) {
    body.push(
      ...list(summary.dryRun ? 'Would be deleted' : 'Deleted', tags, summary.deletedTagsOmitted),
    );
  }
  if (summary.errors.length > 0)
    body.push(...list('Errors', summary.errors, summary.errorsOmitted));
  if (summary.warnings.length > 0)
    body.push(...list('Warnings', summary.warnings, summary.warningsOmitted));
  body.push(...explanation(summary));
  return body;
}

/** Why (the rules), how to undo, and where the full report is. */
function explanation(summary: RunSummary): Record<string, unknown>[] {
  const body: Record<string, unknown>[] = [];
  if (summary.rules.length > 0) {
    body.push(heading('Rules'), {
      type: 'FactSet',
      facts: summary.rules.map((rule) => ({ title: rule.label, value: rule.value })),
    });
  }
  const undo = undoAdvice(summary);
  if (undo.length > 0) {
    body.push(heading('Undo'));
    for (const { text, code } of undo) {
      body.push({ type: 'TextBlock', text, wrap: true, spacing: 'Small' });
      if (code !== undefined) {
        body.push({ type: 'TextBlock', text: code, fontType: 'Monospace', wrap: true });
      }
    }
  }
  const report = summary.report;
  if (report !== undefined) {
    body.push(heading('Report'), {
      type: 'TextBlock',
      // TextBlock markdown: a link when the reports are published, else the path as it is.
      text: report.url === undefined ? report.path : `[${report.path}](${report.url})`,
      wrap: true,
    });
  }
  return body;
}

function heading(text: string): Record<string, unknown> {
  return { type: 'TextBlock', text, weight: 'Bolder', wrap: true, separator: true };
}

/** One TextBlock per item: a long list wraps item by item instead of as one paragraph. */
function list(title: string, items: readonly string[], omitted: number): Record<string, unknown>[] {
  const more = andMore(omitted);
  return [
    { type: 'TextBlock', text: title, weight: 'Bolder', wrap: true, separator: true },
    ...items.map((item) => ({ type: 'TextBlock', text: item, wrap: true, spacing: 'None' })),
    ...(more === '' ? [] : [{ type: 'TextBlock', text: more, isSubtle: true, wrap: true }]),
  ];
}

export const teamsKind: NotificationKind<TeamsTarget> = {
  caps: TEAMS_CAPS,
  deliver: (target, notice, channel) =>
    channel.post(target, JSON.stringify(teamsMessage(notice)), () => ({
      'content-type': JSON_TYPE,
    })),
};
