import type { SlackTarget } from './slack-settings.js';
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

/** A chat message is read, not parsed: a few tags and errors, then "and N more". */
export const SLACK_CAPS: ListCaps = { tags: 15, errors: 10 };

/** Block Kit limits: header text 150 characters, section text 3000, at most 10 fields. */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;

/** A Slack incoming-webhook body: `text` (notifications, fallback) and Block Kit `blocks`. */
export function slackMessage(notice: Notice): Record<string, unknown> {
  if (notice.kind === 'test') {
    const text = testText(notice);
    return {
      text,
      blocks: [
        header(':test_tube: reg-cleaner test message'),
        { type: 'section', text: { type: 'mrkdwn', text: escape(text) } },
      ],
    };
  }
  if (notice.kind === 'restored') return restoreMessage(notice.summary);
  const { summary } = notice;
  const blocks: Record<string, unknown>[] = [
    header(
      `${icon(summary)} ${jobLabel(summary)}: ${summary.status}${summary.dryRun ? ' (dry run)' : ''}`,
    ),
    { type: 'section', fields: fields(summary) },
  ];
  if (summary.deletedTags.length > 0) {
    const title = summary.dryRun ? 'Would be deleted' : 'Deleted';
    blocks.push(
      listSection(
        title,
        summary.deletedTags.map((t) => `${t.repository}:${t.tag}`),
        summary.deletedTagsOmitted,
      ),
    );
  }
  if (summary.errors.length > 0) {
    blocks.push(listSection('Errors', summary.errors, summary.errorsOmitted));
  }
  if (summary.warnings.length > 0) {
    blocks.push(listSection('Warnings', summary.warnings, summary.warningsOmitted));
  }
  blocks.push(...explanation(summary));
  return { text: headline(summary), blocks };
}

/** Why (the rules), how to undo, and where the full report is. */
function explanation(summary: RunSummary): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  if (summary.rules.length > 0) {
    const lines = summary.rules.map((rule) => `*${escape(rule.label)}*: ${escape(rule.value)}`);
    blocks.push(section(['*Rules*', ...lines].join('\n')));
  }
  const undo = undoAdvice(summary);
  if (undo.length > 0) {
    const lines = undo.map(({ text, code }) =>
      code === undefined ? escape(text) : `${escape(text)}\n\`\`\`${escape(code)}\`\`\``,
    );
    blocks.push(section(['*Undo*', ...lines].join('\n')));
  }
  const report = summary.report;
  if (report !== undefined) {
    // Slack links are <url|text>; a URL we built has no `|` (its parts are encoded).
    const where =
      report.url === undefined
        ? `\`${escape(report.path)}\``
        : `<${escape(report.url)}|${escape(report.path)}>`;
    blocks.push(section(`*Report*: ${where}`));
  }
  return blocks;
}

function section(text: string): Record<string, unknown> {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, SECTION_MAX) } };
}

function restoreMessage(summary: RestoreSummary): Record<string, unknown> {
  const icon = summary.status === 'succeeded' ? ':leftwards_arrow_with_hook:' : ':x:';
  const blocks: Record<string, unknown>[] = [
    header(`${icon} restore ${summary.status}${summary.dryRun ? ' (dry run)' : ''}`),
    {
      type: 'section',
      fields: restoreFacts(summary)
        .slice(0, 10)
        .map(([label, value]) => ({ type: 'mrkdwn', text: `*${label}*\n${escape(value)}` })),
    },
    ...restoreLists(summary).map((list) => listSection(list.title, list.items, list.omitted)),
  ];
  return { text: restoreHeadline(summary), blocks };
}

function fields(summary: RunSummary): Record<string, unknown>[] {
  const field = (label: string, value: string) => ({
    type: 'mrkdwn',
    text: `*${label}*\n${escape(value)}`,
  });
  return [
    field('Registry', summary.registry),
    field('Mode', `${summary.dryRun ? 'dry run' : 'real run'} (${summary.mode})`),
    field('Examined', String(summary.counts.examined)),
    field('Kept', String(summary.counts.kept)),
    field(summary.dryRun ? 'Would delete' : 'Deleted', String(summary.counts.deleted)),
    // Slack allows 10 fields in a section: this is the tenth.
    field(summary.dryRun ? 'Would untag' : 'Untagged', String(summary.counts.untagged)),
    field('Failed', String(summary.counts.failed)),
    field('Reclaimable', `${formatBytes(summary.reclaimableBytes)} after garbage collection`),
    field('Duration', formatDurationMs(summary.durationMs)),
    field('Finished', summary.finishedAt),
  ];
}

function listSection(
  title: string,
  items: readonly string[],
  omitted: number,
): Record<string, unknown> {
  const more = andMore(omitted);
  const lines = [`*${title}*`, ...items.map((item) => `• ${escape(item)}`)];
  if (more !== '') lines.push(`_${more}_`);
  return section(lines.join('\n'));
}

function header(text: string): Record<string, unknown> {
  return {
    type: 'header',
    text: { type: 'plain_text', text: clip(text, HEADER_MAX), emoji: true },
  };
}

function icon(summary: RunSummary): string {
  if (summary.status !== 'succeeded') return ':x:';
  if (summary.warnings.length > 0) return ':warning:';
  return summary.reasons.includes('recovered') ? ':white_check_mark:' : ':broom:';
}

/** Slack's mrkdwn treats &, < and > as control characters. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export const slackKind: NotificationKind<SlackTarget> = {
  caps: SLACK_CAPS,
  deliver: (target, notice, channel) =>
    channel.post(target, JSON.stringify(slackMessage(notice)), () => ({
      'content-type': JSON_TYPE,
    })),
};
