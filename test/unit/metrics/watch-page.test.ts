import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reportHref, watchPage } from '../../../src/adapters/metrics/watch-page.js';
import type { LatestRun } from '../../../src/adapters/shared/latest-runs.js';

const NOW = new Date('2026-06-01T08:00:00Z');

function aRun(overrides: Partial<LatestRun> = {}): LatestRun {
  return {
    startedAt: new Date('2026-06-01T07:00:00Z'),
    finishedAt: new Date('2026-06-01T07:01:02Z'),
    dryRun: false,
    status: 'success',
    deleted: 12,
    kept: 30,
    failed: 0,
    report: 'clean-dev/latest.html',
    ...overrides,
  };
}

describe('watchPage', () => {
  it('lists every job: its last run and a link to its report, or that there is none yet', () => {
    const html = watchPage(
      ['clean-dev', 'nightly'],
      new Map([['clean-dev', aRun({ failed: 1, status: 'failed' })]]),
      NOW,
    );
    assert.match(
      html,
      /<tr><td>clean-dev<\/td><td>2026-06-01 07:01:02<\/td><td>real<\/td><td class="failed">failed<\/td><td class="n">12<\/td><td class="n muted">–<\/td><td class="n">30<\/td><td class="n">1<\/td><td><a href="\/reports\/clean-dev\/latest.html">latest.html<\/a><\/td><\/tr>/,
    );
    assert.match(html, /<tr><td>nightly<\/td><td colspan="8" class="muted">no report yet<\/td>/);
    assert.doesNotMatch(html, /Untagged/);
    assert.doesNotMatch(html, /<script/);
  });

  it('puts a dry run under "would delete", and shows untagged when a report counts it', () => {
    const html = watchPage(['a'], new Map([['a', aRun({ dryRun: true, untagged: 3 })]]), NOW);
    assert.match(html, /<th>Untagged<\/th>/);
    assert.match(
      html,
      /<td>dry run<\/td><td class="success">success<\/td><td class="n muted">–<\/td><td class="n">12<\/td><td class="n">3<\/td>/,
    );
  });

  it('escapes job names and encodes report links', () => {
    const name = '<img src=x onerror=alert(1)>"';
    const html = watchPage(
      [name],
      new Map([[name, aRun({ report: '_img src=x-1a2b/latest.html' })]]),
      NOW,
    );
    assert.ok(!html.includes('<img'));
    assert.match(html, /<td>&lt;img src=x onerror=alert\(1\)&gt;&quot;<\/td>/);
    assert.match(html, /href="\/reports\/_img%20src%3Dx-1a2b\/latest.html"/);
    assert.equal(reportHref('a b/%/c.html'), '/reports/a%20b/%25/c.html');
  });
});
