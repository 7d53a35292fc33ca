import type { LatestRun } from '../shared/latest-runs.js';
import { escapeHtml } from '../shared/text/html-escape.js';
import { formatCount } from '../shared/text/numbers.js';

/** The watch page: no script, its own style, nothing fetched, no frame, no form. */
export const PAGE_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const STYLE = `
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:20px 24px}
h1{margin:0;font-size:22px;font-weight:650}
header p{margin:4px 0 0;color:#c3c8d4;font-size:14px}
header a{color:#c3c8d4}
main{padding:20px 24px}
table{border-collapse:collapse;background:#fff;border:1px solid #e4e7ec;min-width:60%}
th,td{padding:8px 12px;border-bottom:1px solid #e4e7ec;text-align:left;white-space:nowrap}
th{font-size:13px;color:#667085;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.success{color:#3b9b5c;font-weight:600}.failed{color:#c62f3a;font-weight:600}.interrupted{color:#e8762d;font-weight:600}
.muted{color:#667085}
a{color:#2f5bd3}
`;

/**
 * `/` of the metrics listener with `metrics: { reports: true }`: each job of the process, its
 * last run (when, result, counts) and a link to its latest report. Only job names, times,
 * counts and report file names: no configuration value, no registry URL, no credential.
 */
export function watchPage(
  jobNames: readonly string[],
  runs: ReadonlyMap<string, LatestRun>,
  now: Date,
): string {
  const untagged = [...runs.values()].some((run) => run.untagged !== undefined);
  const headings = [
    'Job',
    'Last run (UTC)',
    'Mode',
    'Result',
    'Deleted',
    'Would delete',
    ...(untagged ? ['Untagged'] : []),
    'Kept',
    'Failed',
    'Report',
  ];
  const rows = jobNames.map((jobName) => row(jobName, runs.get(jobName), untagged));
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<link rel="icon" href="data:,">',
    '<title>reg-cleaner · watch</title>',
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    '<h1>reg-cleaner · watch</h1>',
    `<p>${String(jobNames.length)} job${jobNames.length === 1 ? '' : 's'} · page built ${utcSeconds(now)} UTC · <a href="/metrics">metrics</a></p>`,
    '</header>',
    '<main>',
    '<table>',
    `<thead><tr>${headings.map((heading) => `<th>${heading}</th>`).join('')}</tr></thead>`,
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table>',
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function row(jobName: string, run: LatestRun | undefined, untagged: boolean): string {
  const name = `<td>${escapeHtml(jobName)}</td>`;
  if (run === undefined) {
    const span = untagged ? 9 : 8;
    return `<tr>${name}<td colspan="${String(span)}" class="muted">no report yet</td></tr>`;
  }
  const none = '<td class="n muted">–</td>';
  const count = (value: number): string => `<td class="n">${formatCount(value)}</td>`;
  const cells = [
    name,
    `<td>${utcSeconds(run.finishedAt)}</td>`,
    `<td>${run.dryRun ? 'dry run' : 'real'}</td>`,
    `<td class="${run.status}">${run.status}</td>`,
    run.dryRun ? none : count(run.deleted),
    run.dryRun ? count(run.deleted) : none,
    ...(untagged ? [run.untagged === undefined ? none : count(run.untagged)] : []),
    count(run.kept),
    count(run.failed),
    `<td><a href="${escapeHtml(reportHref(run.report))}">${escapeHtml(fileName(run.report))}</a></td>`,
  ];
  return `<tr>${cells.join('')}</tr>`;
}

/** `/reports/<each part URL-encoded>`: what reportFileAt() decodes. */
export function reportHref(relativePath: string): string {
  return `/reports/${relativePath.split('/').map(encodeURIComponent).join('/')}`;
}

function fileName(relativePath: string): string {
  return relativePath.split('/').at(-1) ?? relativePath;
}

/** `2026-06-01 07:01:02`: to the second, in UTC (the column says so). */
function utcSeconds(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}
