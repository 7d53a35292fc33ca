import type { EmailTarget } from './email-settings.js';
import type { NotificationKind } from './notification-kind.js';
import { sendMail } from './smtp-mailer.js';
import { formatBytes } from '../../shared/text/numbers.js';
import { escapeHtml } from '../../shared/text/html-escape.js';
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
  jobLabel,
  reportWords,
  undoAdvice,
  type ListCaps,
  type RunSummary,
} from '../run-summary.js';

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
  if (notice.kind === 'restored') return restoreEmail(notice.summary);
  const { summary } = notice;
  const subject =
    `[reg-cleaner] ${jobLabel(summary)}: ${summary.counts.deleted} deleted, ` +
    (summary.counts.untagged > 0 ? `${summary.counts.untagged} untagged, ` : '') +
    `${summary.counts.failed} failed` +
    (summary.dryRun ? ' (dry run)' : '');
  return { subject, text: textBody(summary), html: htmlBody(summary) };
}

function facts(summary: RunSummary): [string, string][] {
  return [
    ['Job', jobLabel(summary)],
    ['Status', summary.status],
    ['Registry', summary.registry],
    ['Mode', `${summary.dryRun ? 'dry run (nothing was deleted)' : 'real run'} (${summary.mode})`],
    ['Examined', String(summary.counts.examined)],
    ['Kept', String(summary.counts.kept)],
    [summary.dryRun ? 'Would delete' : 'Deleted', String(summary.counts.deleted)],
    [summary.dryRun ? 'Would untag' : 'Untagged', String(summary.counts.untagged)],
    ['Failed', String(summary.counts.failed)],
    ['Reclaimable', `${formatBytes(summary.reclaimableBytes)} after garbage collection`],
    ['Started', summary.startedAt],
    ['Finished', summary.finishedAt],
    ['Duration', formatDurationMs(summary.durationMs)],
    ...(summary.report === undefined
      ? []
      : [['Report', reportWords(summary.report)] as [string, string]]),
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
  if (summary.rules.length > 0) {
    lines.push('', 'Rules:', ...summary.rules.map((rule) => `  ${rule.label}: ${rule.value}`));
  }
  const undo = undoAdvice(summary);
  if (undo.length > 0) {
    lines.push('', 'Undo:');
    for (const { text, code } of undo) {
      lines.push(`  ${text}`);
      if (code !== undefined) lines.push(`    ${code}`);
    }
  }
  for (const list of lists(summary)) {
    lines.push('', `${list.title}:`, ...list.items.map((item) => `  - ${item}`));
    if (list.more !== '') lines.push(`  ${list.more}`);
  }
  return `${lines.join('\n')}\n`;
}

function htmlBody(summary: RunSummary): string {
  const rows = facts(summary)
    .map(([label, value]) => {
      const url = label === 'Report' ? summary.report?.url : undefined;
      const cell =
        url === undefined
          ? escapeHtml(value)
          : `<a href="${escapeHtml(url)}">${escapeHtml(summary.report?.path ?? url)}</a>`;
      return `<tr><th align="left">${escapeHtml(label)}</th><td>${cell}</td></tr>`;
    })
    .join('\n');
  const sections = lists(summary).map(
    (list) =>
      `<h3>${escapeHtml(list.title)}</h3>\n<ul>\n${list.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('\n')}\n</ul>` +
      (list.more === '' ? '' : `\n<p><em>${escapeHtml(list.more)}</em></p>`),
  );
  return [`<table>\n${rows}\n</table>`, ...explanationHtml(summary), ...sections].join('\n') + '\n';
}

/** The rules and the undo commands, between the facts and the lists. */
function explanationHtml(summary: RunSummary): string[] {
  const parts: string[] = [];
  if (summary.rules.length > 0) {
    const rows = summary.rules
      .map(
        (rule) =>
          `<tr><th align="left">${escapeHtml(rule.label)}</th><td>${escapeHtml(rule.value)}</td></tr>`,
      )
      .join('\n');
    parts.push(`<h3>Rules</h3>\n<table>\n${rows}\n</table>`);
  }
  const undo = undoAdvice(summary);
  if (undo.length > 0) {
    const items = undo.map(
      ({ text, code }) =>
        `<p>${escapeHtml(text)}</p>` +
        (code === undefined ? '' : `\n<pre><code>${escapeHtml(code)}</code></pre>`),
    );
    parts.push(`<h3>Undo</h3>\n${items.join('\n')}`);
  }
  return parts;
}

/** A restore: the headline as subject, the facts, what was put back and what was not. */
function restoreEmail(summary: RestoreSummary): EmailContent {
  const facts = restoreFacts(summary);
  const lists = restoreLists(summary);
  const text = [
    ...facts.map(([label, value]) => `${label}: ${value}`),
    ...lists.flatMap((list) => [
      '',
      `${list.title}:`,
      ...list.items.map((item) => `  - ${item}`),
      ...(list.omitted === 0 ? [] : [`  ${andMore(list.omitted)}`]),
    ]),
  ];
  const rows = facts.map(
    ([label, value]) =>
      `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
  );
  const sections = lists.map(
    (list) =>
      `<h3>${escapeHtml(list.title)}</h3>\n<ul>\n${list.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('\n')}\n</ul>` +
      (list.omitted === 0 ? '' : `\n<p><em>${escapeHtml(andMore(list.omitted))}</em></p>`),
  );
  return {
    subject: `[reg-cleaner] ${restoreHeadline(summary).replace(/^reg-cleaner /, '')}`,
    text: `${text.join('\n')}\n`,
    html: `${[`<table>\n${rows.join('\n')}\n</table>`, ...sections].join('\n')}\n`,
  };
}

export const emailKind: NotificationKind<EmailTarget> = {
  caps: EMAIL_CAPS,
  deliver(target, notice, channel) {
    const content = emailContent(notice);
    return channel.withRetries((timeoutMs) => sendMail(target, content, timeoutMs));
  },
};
