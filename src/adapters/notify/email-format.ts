import { formatBytes } from '../reports/report-text.js';
import { testText, type Notice } from './notice.js';
import { andMore, formatDurationMs, type ListCaps, type RunSummary } from './run-summary.js';

/** Mail clients cope with long bodies; the report file has the rest. */
export const EMAIL_CAPS: ListCaps = { tags: 200, errors: 200 };

export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Subject `[reg-cleaner] <job>: N deleted, M failed` (and `(dry run)`), text and HTML bodies. */
export function emailContent(notice: Notice): EmailContent {
  if (notice.kind === 'test') {
    const text = testText(notice);
    return {
      subject: `[reg-cleaner] TEST message for target ${notice.target}`,
      text: `${text}\n`,
      html: `<p><strong>${escapeHtml(text)}</strong></p>\n`,
    };
  }
  const { summary } = notice;
  const subject =
    `[reg-cleaner] ${summary.job}: ${summary.counts.deleted} deleted, ${summary.counts.failed} failed` +
    (summary.dryRun ? ' (dry run)' : '');
  return { subject, text: textBody(summary), html: htmlBody(summary) };
}

function facts(summary: RunSummary): [string, string][] {
  return [
    ['Job', summary.job],
    ['Status', summary.status],
    ['Registry', summary.registry],
    ['Mode', `${summary.dryRun ? 'dry run (nothing was deleted)' : 'real run'} (${summary.mode})`],
    ['Examined', String(summary.counts.examined)],
    ['Kept', String(summary.counts.kept)],
    [summary.dryRun ? 'Would delete' : 'Deleted', String(summary.counts.deleted)],
    ['Failed', String(summary.counts.failed)],
    ['Reclaimable', `${formatBytes(summary.reclaimableBytes)} after garbage collection`],
    ['Started', summary.startedAt],
    ['Finished', summary.finishedAt],
    ['Duration', formatDurationMs(summary.durationMs)],
  ];
}

function lists(summary: RunSummary): { title: string; items: string[]; more: string }[] {
  const result: { title: string; items: string[]; more: string }[] = [];
  if (summary.deletedTags.length > 0) {
    result.push({
      title: summary.dryRun ? 'Would be deleted' : 'Deleted tags',
      items: summary.deletedTags.map((tag) => `${tag.repository}:${tag.tag}`),
      more: andMore(summary.deletedTagsOmitted),
    });
  }
  if (summary.errors.length > 0) {
    result.push({
      title: 'Errors',
      items: [...summary.errors],
      more: andMore(summary.errorsOmitted),
    });
  }
  if (summary.warnings.length > 0) {
    result.push({
      title: 'Warnings',
      items: [...summary.warnings],
      more: andMore(summary.warningsOmitted),
    });
  }
  return result;
}

function textBody(summary: RunSummary): string {
  const lines = facts(summary).map(([label, value]) => `${label}: ${value}`);
  for (const list of lists(summary)) {
    lines.push('', `${list.title}:`, ...list.items.map((item) => `  - ${item}`));
    if (list.more !== '') lines.push(`  ${list.more}`);
  }
  return `${lines.join('\n')}\n`;
}

function htmlBody(summary: RunSummary): string {
  const rows = facts(summary)
    .map(
      ([label, value]) =>
        `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    )
    .join('\n');
  const sections = lists(summary).map(
    (list) =>
      `<h3>${escapeHtml(list.title)}</h3>\n<ul>\n${list.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('\n')}\n</ul>` +
      (list.more === '' ? '' : `\n<p><em>${escapeHtml(list.more)}</em></p>`),
  );
  return [`<table>\n${rows}\n</table>`, ...sections].join('\n') + '\n';
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
