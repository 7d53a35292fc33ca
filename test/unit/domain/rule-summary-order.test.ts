import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ruleSummary, ruleSummaryText } from '../../../src/domain/rule-summary.js';
import { aJob } from '../../builders/index.js';

function rules(job: Parameters<typeof aJob>[0]): Record<string, string> {
  return Object.fromEntries(ruleSummary(aJob(job)).map((rule) => [rule.key, rule.value]));
}

describe('ruleSummary: order_by and keep_regexps (issue 22)', () => {
  it('semver and natural name the order in save_last and in an order_by line', () => {
    const semver = rules({ saveLast: 3, orderBy: 'semver' });
    assert.equal(semver['save_last'], '3 highest old tags by semver per pattern kept');
    assert.match(semver['order_by'] ?? '', /^semver: .*not versions are kept/);
    const natural = rules({ saveLast: 1, orderBy: 'natural' });
    assert.equal(natural['save_last'], '1 highest old tag by natural per pattern kept');
    assert.match(natural['order_by'] ?? '', /^natural: digit runs compare as numbers/);
  });

  it('created (default or written) adds no line: save_last already says newest', () => {
    for (const orderBy of [undefined, 'created'] as const) {
      const summary = rules(orderBy === undefined ? { saveLast: 2 } : { saveLast: 2, orderBy });
      assert.equal(summary['save_last'], '2 newest old tags per pattern kept');
      assert.equal(summary['order_by'], undefined);
    }
  });

  it('keep_regexps show as the tags never deleted', () => {
    assert.equal(
      rules({ keepPatterns: ['.*-pinned', 'hotfix-'] })['keep_regexps'],
      'tags matching .*-pinned, hotfix-',
    );
    assert.equal(rules({})['keep_regexps'], undefined);
    assert.match(ruleSummaryText(aJob({ keepPatterns: ['x'] })), /Never deleted: tags matching x$/);
  });
});
