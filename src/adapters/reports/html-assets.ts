/**
 * The HTML report's style and script, inlined in every file (no URL, no CDN). The script only
 * adds the decision / reason filter; without it the report reads the same.
 */
export const HTML_STYLE = `
:root{--bg:#f6f7f9;--card:#fff;--ink:#1d2330;--muted:#667085;--line:#e4e7ec;--kept:#3b9b5c;--unmatched:#a7d7b5;--deleted:#e8762d;--failed:#c62f3a;--track:#eef0f3;--accent:#2f5bd3}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.top{background:#1d2330;color:#fff;padding:28px max(24px,calc(50% - 560px)) 24px}
.top h1{margin:4px 0;font-size:28px;font-weight:650;letter-spacing:-.01em;word-break:break-word}
.top .tool,.top .meta,.top .description{margin:0;color:#c3c8d4;font-size:14px}
.top .tool strong{color:#ffd28a;font-weight:600}
.top .description{color:#e6e8ee;margin:2px 0 6px}
main{max-width:1168px;margin:0 auto;padding:24px}
h2{font-size:19px;margin:0 0 10px;font-weight:650}
h3{font-size:14px;margin:0 0 6px}
.verdict{border-radius:12px;padding:16px 20px;margin-bottom:18px;border:1px solid transparent}
.verdict p{margin:0}
.verdict .status{font-size:22px;font-weight:700;margin-bottom:2px}
.verdict.success{background:#e9f6ee;border-color:#b9e2c7}
.verdict.success .status{color:#1f6e3d}
.verdict.failed{background:#fdecee;border-color:#f3c0c5}
.verdict.failed .status{color:#9d1d28}
.verdict.interrupted{background:#fff5e6;border-color:#f5d49e}
.verdict.interrupted .status{color:#8a4b00}
body[data-dry-run="true"] .verdict.success{background:#eef2fd;border-color:#c7d4f7}
body[data-dry-run="true"] .verdict.success .status{color:#243f9a}
.totals{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px;margin-bottom:22px}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:12px 14px;display:flex;flex-direction:column;gap:2px}
.card .label{color:var(--muted);font-size:13px}
.card .value{font-size:26px;font-weight:700;font-variant-numeric:tabular-nums;white-space:nowrap}
.card .exact{color:var(--muted);font-size:12px;font-variant-numeric:tabular-nums}
.card.kept .value{color:var(--kept)}
.card.deleted .value{color:var(--deleted)}
.card.failed .value{color:var(--failed)}
.card.reclaimable{border-color:#c7d4f7}
.card.reclaimable .value{color:var(--accent)}
section{margin-bottom:26px}
.overview,.rules,.undo,.repository,.filters{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:16px 18px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:14px}
th{text-align:left;color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.04em;border-bottom:1px solid var(--line);padding:6px 10px}
td{border-bottom:1px solid var(--line);padding:7px 10px;vertical-align:top}
tbody tr:last-child td{border-bottom:0}
tbody tr:hover td{background:#fafbfc}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
.bar{display:block}
.bar .track{fill:var(--track)}
.bar .kept,.swatch.kept{fill:var(--kept);background:var(--kept)}
.bar .unmatched,.swatch.unmatched{fill:var(--unmatched);background:var(--unmatched)}
.bar .deleted,.swatch.deleted{fill:var(--deleted);background:var(--deleted)}
.bar .failed,.swatch.failed{fill:var(--failed);background:var(--failed)}
.legend{color:var(--muted);font-size:13px;margin:-4px 0 8px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px;vertical-align:-1px}
.swatch:first-child{margin-left:0}
.rules dl{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:10px 24px;margin:0}
.rules dt{color:var(--muted);font-size:13px}
.rules dd{margin:2px 0 0}
.undo p{margin:0 0 6px}
.undo pre{margin:0 0 10px;overflow-x:auto}
.undo pre code{display:block;padding:8px 10px;word-break:normal;white-space:pre}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1f3f6;border-radius:4px;padding:1px 5px;word-break:break-all}
.filters{display:flex;flex-wrap:wrap;gap:18px;align-items:center;position:sticky;top:0;z-index:1;box-shadow:0 2px 8px rgba(16,24,40,.06)}
.filters[hidden]{display:none}
.filters select{font:inherit;margin-left:6px;padding:3px 6px;border:1px solid var(--line);border-radius:6px;background:#fff}
.repository h2{display:flex;align-items:center;gap:10px;word-break:break-all}
/* A link to a section must not leave its heading under the sticky filter bar. */
.repository{scroll-margin-top:96px}
.badge{font-size:11px;text-transform:uppercase;letter-spacing:.05em;border-radius:999px;padding:2px 8px;font-weight:700}
.badge.success{background:#e9f6ee;color:#1f6e3d}
.badge.failed{background:#fdecee;color:#9d1d28}
.badge.skipped{background:#fff4e0;color:#7a4b00}
.pill{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12.5px;font-weight:600;white-space:nowrap}
.pill.keep{background:#e9f6ee;color:#1f6e3d}
.pill.delete{background:#fdf0e6;color:#9a4a0f}
.pill.untag{background:#eef0fb;color:#33418c}
.pill.failed{background:#fdecee;color:#9d1d28}
.tag{font-weight:600;white-space:nowrap}
.date{white-space:nowrap;font-variant-numeric:tabular-nums}
.reason{font-weight:500}
.detail,.why{color:var(--muted);font-size:12.5px}
.digest code{white-space:nowrap;word-break:normal}
h3.accessories{margin:18px 0 6px;font-size:14px}
.accessory-tags{word-break:break-all;font-family:ui-monospace,monospace;font-size:12.5px}
.muted{color:var(--muted)}
.errors,.warnings{border-radius:8px;padding:10px 14px;margin:0 0 12px}
.errors{background:#fdecee;color:#7c1620}
.warnings{background:#fff5e6;color:#6b3c00}
.errors ul,.warnings ul{margin:0;padding-left:18px}
footer{color:var(--muted);font-size:13px;border-top:1px solid var(--line);padding-top:14px}
tr.hidden-row,section.hidden-section{display:none}
@media print{.filters{display:none}.top{background:none;color:var(--ink)}.top .tool,.top .meta{color:var(--muted)}}
`.trim();

/**
 * Filtering by decision and reason: rows that do not match get a class that hides them, and a
 * repository with no row left is hidden too. The reason list is built from the rows.
 */
export const HTML_SCRIPT = `
(function () {
  var bar = document.getElementById('filters');
  var action = document.getElementById('filter-action');
  var reason = document.getElementById('filter-reason');
  var count = document.getElementById('filter-count');
  if (!bar || !action || !reason || !count) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-action]'));
  var reasons = {};
  rows.forEach(function (row) {
    var words = row.querySelector('.reason');
    reasons[row.getAttribute('data-reason')] = words ? words.textContent : '';
  });
  Object.keys(reasons).sort().forEach(function (value) {
    var option = document.createElement('option');
    option.value = value;
    option.textContent = reasons[value] || value;
    reason.appendChild(option);
  });
  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var visible = (!action.value || row.getAttribute('data-action') === action.value) &&
        (!reason.value || row.getAttribute('data-reason') === reason.value);
      row.classList.toggle('hidden-row', !visible);
      if (visible) shown += 1;
    });
    document.querySelectorAll('section.repository').forEach(function (section) {
      var any = section.querySelector('tr[data-action]:not(.hidden-row)');
      section.classList.toggle('hidden-section', !any && (action.value !== '' || reason.value !== ''));
    });
    count.textContent = shown + ' of ' + rows.length + ' tags shown';
  }
  action.addEventListener('change', apply);
  reason.addEventListener('change', apply);
  bar.hidden = false;
  apply();
})();
`.trim();
