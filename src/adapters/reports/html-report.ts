import { createHash } from 'node:crypto';
import { escapeHtml } from '../shared/text/html-escape.js';
import type {
  ReportAccessory,
  ReportCounts,
  ReportHead,
  ReportRepository,
  ReportTag,
  ReportTail,
} from './json-report.js';
import { decisionWords, RECLAIMABLE_NOTE, REASON_WORDS, verdictWords } from './report-text.js';
import { formatBytes, formatCount } from '../shared/text/numbers.js';
import { shardLabel } from '../../domain/shard.js';
import { HTML_SCRIPT, HTML_STYLE } from './html-assets.js';

/** What the top of the HTML report shows of one repository (one line each, in name order). */
export interface RepositoryLine {
  readonly name: string;
  readonly status: ReportRepository['status'];
  readonly summary: ReportCounts;
  readonly reclaimableBytes: number;
}

/**
 * The HTML report: one self-contained file (inline CSS, an inline script allowed by its hash,
 * no URL anywhere), readable with JavaScript off. It is written in parts so that the tables
 * of a large run are streamed: start() with the verdict, totals and a bar per repository,
 * repository() once per repository, end().
 * Every string from the registry, the config or an error goes through esc().
 */
export const htmlReport = {
  start(head: ReportHead, tail: ReportTail, lines: readonly RepositoryLine[]): string {
    const title = `${head.job.name}: ${verdictWords(tail.status, head.dryRun).toLowerCase()}`;
    return [
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      // Nothing may be fetched: no URL is ever written, and the browser is told so as well.
      `<meta http-equiv="Content-Security-Policy" content="${reportContentSecurityPolicy()}">`,
      '<link rel="icon" href="data:,">',
      `<title>reg-cleaner · ${esc(title)}</title>`,
      `<style>${HTML_STYLE}</style>`,
      '</head>',
      `<body data-dry-run="${String(head.dryRun)}">`,
      '<header class="top">',
      `<p class="tool">reg-cleaner ${esc(head.tool.version)} · ${head.mode === 'watch' ? 'watch' : 'manual'} run${head.shard === undefined ? '' : ` · shard ${esc(shardLabel(head.shard))}`}${head.dryRun ? ' · <strong>dry run: nothing was deleted</strong>' : ''}</p>`,
      `<h1>${esc(head.job.name)}</h1>`,
      head.job.description === null
        ? ''
        : `<p class="description">${esc(head.job.description)}</p>`,
      `<p class="meta">${esc(head.registry)} · started <time datetime="${esc(head.startedAt)}">${esc(instant(head.startedAt))}</time> · took ${esc(duration(head.startedAt, tail.finishedAt))}</p>`,
      '</header>',
      '<main>',
      verdict(head, tail),
      totals(head, tail),
      errors('Job problems', tail.errors),
      list('Warnings', tail.warnings, 'warnings'),
      overview(lines, head.dryRun),
      rules(head),
      undo(head, tail),
      '<section class="filters" id="filters" hidden>',
      '<label>Decision <select id="filter-action"><option value="">all</option><option value="keep">kept</option>',
      `<option value="delete">${head.dryRun ? 'would delete' : 'deleted or selected'}</option>`,
      `<option value="untag">${head.dryRun ? 'would untag' : 'untagged'}</option></select></label>`,
      '<label>Reason <select id="filter-reason"><option value="">all</option></select></label>',
      '<span id="filter-count" class="muted"></span>',
      '</section>',
    ].join('\n');
  },

  repository(repository: ReportRepository, dryRun: boolean): string {
    const rows = repository.tags.map((tag) => row(tag, dryRun)).join('\n');
    const counts = repository.summary;
    return [
      `<section class="repository" id="${anchor(repository.name)}">`,
      `<h2><span class="badge ${repository.status}">${badgeText(repository.status)}</span> ${esc(repository.name)}</h2>`,
      `<p class="muted">${formatCount(counts.examined)} examined · ${formatCount(counts.unmatched)} matching no pattern · ${formatCount(counts.kept)} kept · ${formatCount(counts.deleted)} ${dryRun ? 'would be deleted' : 'deleted'} · ${formatCount(counts.untagged)} ${dryRun ? 'would be untagged' : 'untagged'} · ${formatCount(counts.failed)} failed · ${esc(formatBytes(repository.reclaimableBytes))} reclaimable</p>`,
      errors('Errors', repository.errors),
      list('Warnings', repository.warnings, 'warnings'),
      repository.tags.length === 0
        ? `<p class="muted">${repository.skipped === undefined ? 'No tags.' : 'Not finished: the run was stopped by a signal before its deletions began.'}</p>`
        : [
            '<div class="scroll"><table>',
            '<thead><tr><th>Tag</th><th>Created</th><th>Decision</th><th>Why</th><th>Digest</th></tr></thead>',
            `<tbody>\n${rows}\n</tbody>`,
            '</table></div>',
          ].join('\n'),
      accessories(repository.accessories ?? [], dryRun),
      '</section>',
    ].join('\n');
  },

  end(): string {
    return [
      `<footer><p>${esc(RECLAIMABLE_NOTE)}</p></footer>`,
      '</main>',
      `<script>${HTML_SCRIPT}</script>`,
      '</body>',
      '</html>',
      '',
    ].join('\n');
  },
};

function verdict(head: ReportHead, tail: ReportTail): string {
  const summary = tail.summary;
  const deleted = formatCount(summary.deleted);
  const bytes = formatBytes(summary.reclaimableBytes);
  const what =
    tail.status === 'interrupted'
      ? 'Stopped before the job was done: the repositories below are the ones it finished. Run it again to finish.'
      : head.dryRun
        ? `${deleted} ${summary.deleted === 1 ? 'tag' : 'tags'} would be deleted, freeing about ${bytes} once the garbage collector runs.`
        : `${deleted} ${summary.deleted === 1 ? 'tag' : 'tags'} deleted: about ${bytes} can be freed by the garbage collector.`;
  const failed =
    summary.failed > 0
      ? ` ${formatCount(summary.failed)} ${summary.failed === 1 ? 'problem' : 'problems'}: see below.`
      : '';
  return [
    `<section class="verdict ${tail.status}" id="verdict">`,
    `<p class="status" data-status="${tail.status}">${esc(verdictWords(tail.status, head.dryRun))}</p>`,
    `<p>${esc(what)}${esc(failed)}</p>`,
    '</section>',
  ].join('\n');
}

function totals(head: ReportHead, tail: ReportTail): string {
  const summary = tail.summary;
  const card = (key: string, label: string, value: string, extra = ''): string =>
    `<div class="card ${key}"><span class="label">${esc(label)}</span><span class="value" data-total="${key}">${esc(value)}</span>${extra}</div>`;
  return [
    '<section class="totals" aria-label="Totals">',
    card('repositories', 'Repositories', formatCount(summary.repositories)),
    card('examined', 'Tags examined', formatCount(summary.examined)),
    card('unmatched', 'No pattern', formatCount(summary.unmatched)),
    card('kept', 'Kept', formatCount(summary.kept)),
    card('deleted', head.dryRun ? 'Would delete' : 'Deleted', formatCount(summary.deleted)),
    card('untagged', head.dryRun ? 'Would untag' : 'Untagged', formatCount(summary.untagged)),
    card('failed', 'Failed', formatCount(summary.failed)),
    card(
      'reclaimable',
      'Reclaimable',
      formatBytes(summary.reclaimableBytes),
      `<span class="exact" data-total="reclaimableBytes">${formatCount(summary.reclaimableBytes)} bytes</span>`,
    ),
    '</section>',
  ].join('\n');
}

function overview(lines: readonly RepositoryLine[], dryRun: boolean): string {
  if (lines.length === 0) return '<p class="muted">No repository was examined.</p>';
  const largest = Math.max(1, ...lines.map((line) => barTotal(line.summary)));
  const rows = lines.map(
    (line) =>
      `<tr><td><a href="#${anchor(line.name)}">${esc(line.name)}</a></td><td>${bar(line.summary, largest, dryRun)}</td>` +
      [
        line.summary.examined,
        line.summary.unmatched,
        line.summary.kept,
        line.summary.deleted,
        line.summary.failed,
      ]
        .map((count) => `<td class="num">${formatCount(count)}</td>`)
        .join('') +
      `<td class="num" title="${formatCount(line.reclaimableBytes)} bytes">${esc(formatBytes(line.reclaimableBytes))}</td></tr>`,
  );
  return [
    '<section class="overview">',
    '<h2>Repositories</h2>',
    '<p class="legend"><span class="swatch kept"></span>kept <span class="swatch unmatched"></span>matching no pattern',
    `<span class="swatch deleted"></span>${dryRun ? 'would delete' : 'deleted'} <span class="swatch failed"></span>failed</p>`,
    '<div class="scroll"><table>',
    `<thead><tr><th>Repository</th><th>Tags</th><th class="num">Examined</th><th class="num">No pattern</th><th class="num">Kept</th><th class="num">${dryRun ? 'Would delete' : 'Deleted'}</th><th class="num">Failed</th><th class="num">Reclaimable</th></tr></thead>`,
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table></div>',
    '</section>',
  ].join('\n');
}

function barTotal(counts: ReportCounts): number {
  return counts.kept + counts.unmatched + counts.deleted + counts.failed;
}

/** Kept / deleted / failed as one stacked bar, scaled to the largest repository of the run. */
function bar(counts: ReportCounts, largest: number, dryRun: boolean): string {
  const width = 200;
  const parts = [
    ['kept', counts.kept],
    ['unmatched', counts.unmatched],
    ['deleted', counts.deleted],
    ['failed', counts.failed],
  ] as const;
  let x = 0;
  const rects = parts
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => {
      const w = Math.max(2, (count / largest) * width);
      const rect = `<rect class="${kind}" x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="14" rx="2"></rect>`;
      x += w;
      return rect;
    });
  const label = `${formatCount(counts.kept)} kept, ${formatCount(counts.unmatched)} matching no pattern, ${formatCount(counts.deleted)} ${dryRun ? 'would be deleted' : 'deleted'}, ${formatCount(counts.failed)} failed`;
  return (
    `<svg class="bar" width="${width + 4}" height="14" viewBox="0 0 ${width + 4} 14" role="img" aria-label="${label}">` +
    `<title>${label}</title><rect class="track" x="0" y="0" width="${width + 4}" height="14" rx="2"></rect>${rects.join('')}</svg>`
  );
}

function rules(head: ReportHead): string {
  const items = head.rules.map(
    (rule) =>
      `<div data-rule="${esc(rule.key)}"><dt>${esc(rule.label)}</dt><dd>${esc(rule.value)}</dd></div>`,
  );
  return [
    '<section class="rules">',
    '<h2>Rules</h2>',
    '<dl>',
    ...items,
    '</dl>',
    '</section>',
  ].join('\n');
}

/** How to put back what the run deleted: the journal and the commands (issue 27, item 6). */
function undo(head: ReportHead, tail: ReportTail): string {
  const body =
    tail.undo === null
      ? `<p class="muted">${head.dryRun ? 'A dry run deletes nothing: there is nothing to undo.' : 'Nothing was deleted: there is nothing to undo.'}</p>`
      : [
          `<p>The run journaled every deletion in <code>${esc(tail.undo.journal)}</code>. Until the registry's garbage collector runs, this puts the deleted tags back (from the folder the run ran in):</p>`,
          `<pre><code>${esc(tail.undo.command)}</code></pre>`,
          '<p class="muted">To see first what it would put back, without writing anything:</p>',
          `<pre><code>${esc(tail.undo.preview)}</code></pre>`,
        ].join('\n');
  return ['<section class="undo" id="undo">', '<h2>Undo</h2>', body, '</section>'].join('\n');
}

function row(tag: ReportTag, dryRun: boolean): string {
  const words = decisionWords(tag, dryRun);
  // A dry run skips every deletion: saying so on each row would only add noise.
  const why = dryRun && tag.outcome === 'skipped' ? null : tag.outcomeDetail;
  const outcome = why === null ? '' : `<div class="why">${esc(why)}</div>`;
  const kind =
    tag.action === 'keep'
      ? 'keep'
      : tag.outcome === 'failed'
        ? 'failed'
        : tag.action === 'untag'
          ? 'untag'
          : 'delete';
  return (
    `<tr data-action="${tag.action}" data-reason="${esc(tag.reason)}">` +
    `<td class="tag">${esc(tag.tag)}</td>` +
    `<td class="date">${tag.created === null ? '<span class="muted">–</span>' : `<time datetime="${esc(tag.created)}">${esc(instant(tag.created))}</time>`}</td>` +
    `<td><span class="pill ${kind}">${esc(words)}</span>${outcome}</td>` +
    `<td><span class="reason" title="${esc(tag.reason)}">${esc(REASON_WORDS[tag.reason])}</span><div class="detail">${esc(tag.detail)}</div></td>` +
    `<td class="digest">${tag.digest === null ? '<span class="muted">not read</span>' : `<code title="${esc(tag.digest)}">${esc(shortDigest(tag.digest))}</code>`}</td>` +
    '</tr>'
  );
}

/**
 * The signatures, attestations and SBOMs that went with a deleted image, and the orphans: their
 * rows carry no data-action, so the tag filter neither hides nor counts them.
 */
function accessories(entries: readonly ReportAccessory[], dryRun: boolean): string {
  if (entries.length === 0) return '';
  const rows = entries.map((entry) => {
    const failed = entry.outcome === 'failed';
    const words = failed
      ? 'failed'
      : entry.outcome === 'already-gone'
        ? 'already gone'
        : dryRun
          ? 'would delete'
          : 'deleted';
    // A dry run skips every deletion: saying so on each row would only add noise.
    const why = dryRun && entry.outcome === 'skipped' ? null : entry.outcomeDetail;
    const tags =
      entry.tags.length === 0
        ? '<span class="muted">none (a referrer)</span>'
        : entry.tags.map((tag) => esc(tag)).join('<br>');
    const image = `<code title="${esc(entry.subject)}">${esc(shortDigest(entry.subject))}</code>`;
    const owner = entry.orphan ? `${image}<div class="why">orphan: already gone</div>` : image;
    return (
      `<tr class="accessory" data-outcome="${esc(entry.outcome)}" data-orphan="${String(entry.orphan)}">` +
      `<td class="digest"><code title="${esc(entry.digest)}">${esc(shortDigest(entry.digest))}</code></td>` +
      `<td class="accessory-tags">${tags}</td>` +
      `<td class="digest">${owner}</td>` +
      `<td><span class="pill ${failed ? 'failed' : 'delete'}">${esc(words)}</span>${why === null ? '' : `<div class="why">${esc(why)}</div>`}</td>` +
      '</tr>'
    );
  });
  return [
    `<h3 class="accessories">Signatures, attestations and SBOMs ${dryRun ? 'that would be deleted' : 'deleted'} with their image (${formatCount(entries.length)})</h3>`,
    '<div class="scroll"><table class="accessories">',
    '<thead><tr><th>Digest</th><th>Tags</th><th>Image</th><th>Outcome</th></tr></thead>',
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table></div>',
  ].join('\n');
}

function errors(title: string, messages: readonly string[]): string {
  return list(title, messages, 'errors');
}

function list(title: string, messages: readonly string[], kind: string): string {
  if (messages.length === 0) return '';
  const items = messages.map((message) => `<li>${esc(message)}</li>`).join('');
  return `<div class="${kind}"><h3>${esc(title)}</h3><ul>${items}</ul></div>`;
}

/**
 * The id of a repository's section: from its name (unique in a report; a registry's repository
 * names hold only `a-z0-9._-/`), not its place, so that a section can be rendered as soon as its
 * repository finishes, before the order of the report is known.
 */
function anchor(name: string): string {
  return esc(`repository-${name}`);
}

function shortDigest(digest: string): string {
  const [algorithm, hex = ''] = digest.split(':', 2);
  return `${algorithm ?? ''}:${hex.slice(0, 12)}`;
}

/** What Date#toISOString writes: the report's own dates, read back from its JSON file. */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z$/;

/** `2026-06-01 07:08 UTC` */
function instant(iso: string): string {
  // One per tag row: cut from the string, not parsed into a Date and printed again.
  if (CANONICAL_UTC.test(iso)) return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  const parsed = new Date(iso);
  if (Number.isNaN(parsed.getTime())) return iso;
  return `${parsed.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function duration(from: string, to: string): string {
  const ms = Math.max(0, new Date(to).getTime() - new Date(from).getTime());
  if (Number.isNaN(ms)) return 'unknown';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${String(Math.floor(ms / 60_000))} min ${String(Math.floor((ms % 60_000) / 1000))} s`;
}

/** The report's name for the shared escaper (it is used on every line). */
export const esc = escapeHtml;

/**
 * What the page may load: its inline style and its one script, nothing from anywhere. In the
 * page itself, and as a header where the page is served (the watch page of the metrics port).
 */
export function reportContentSecurityPolicy(): string {
  return `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src '${scriptHash()}'`;
}

let cachedHash: string | undefined;
/** The CSP source that allows exactly the inline script and nothing else. */
function scriptHash(): string {
  cachedHash ??= `sha256-${createHash('sha256').update(HTML_SCRIPT).digest('base64')}`;
  return cachedHash;
}

function badgeText(status: ReportRepository['status']): string {
  return status === 'success' ? 'ok' : status;
}
