import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReportTag } from '../../../src/adapters/reports/json-report.js';
import {
  FirstLinesByName,
  MARKDOWN_LIST_CAP,
  MarkdownLists,
} from '../../../src/adapters/reports/markdown-report.js';

function deletedTag(tag: string, outcome: ReportTag['outcome'] = 'deleted'): ReportTag {
  return {
    tag,
    digest: null,
    created: '2026-01-02T03:04:05.000Z',
    action: 'delete',
    reason: 'old',
    detail: '',
    ranking: null,
    outcome,
    outcomeDetail: outcome === 'failed' ? 'HTTP 500' : null,
  };
}

function tags(prefix: string, count: number): ReportTag[] {
  return Array.from({ length: count }, (_, index) => deletedTag(`${prefix}${String(index)}`));
}

/** Repositories arrive as they finish; the lists must not depend on it (issue 25). */
function listsOf(names: readonly string[], perRepository: number): MarkdownLists {
  const lists = new MarkdownLists(false);
  for (const name of names) {
    const repositoryTags = [...tags('v', perRepository), deletedTag('broken', 'failed')];
    lists.repository(name, [`${name} error`], repositoryTags);
  }
  return lists;
}

describe('MarkdownLists (issue 25: gathered as repositories finish)', () => {
  it('keeps the first lines in repository name order, whatever order they finished in', () => {
    // Three repositories of 900 deletions: the cap (2,000) falls inside the third by name.
    const names = ['team/web', 'Team/zed', 'team/app'];
    const inNameOrder = listsOf(['Team/zed', 'team/app', 'team/web'], 900);
    const asFinished = listsOf(names, 900);
    assert.deepEqual(asFinished.deleted, inNameOrder.deleted);
    assert.deepEqual(asFinished.failures, inNameOrder.failures);
    assert.equal(asFinished.deleted.length, MARKDOWN_LIST_CAP);
    assert.equal(asFinished.deletedTotal, 2_700);
    assert.match(asFinished.deleted[0] ?? '', /^`Team\/zed:v0` \(/);
    assert.match(asFinished.deleted.at(-1) ?? '', /^`team\/web:v199` \(/);
    // Each repository's failures in its own order: its error, then its failed tag.
    assert.deepEqual(asFinished.failures.slice(0, 2), [
      '`Team/zed`: Team/zed error',
      '`Team/zed:broken`: deletion failed: HTTP 500',
    ]);
    assert.equal(asFinished.failuresTotal, 6);
  });
});

describe('FirstLinesByName', () => {
  it('drops the lines of the last repositories by name once over the cap', () => {
    const lines = new FirstLinesByName(4);
    lines.add('c', ['c1', 'c2']);
    lines.add('a', ['a1', 'a2', 'a3']);
    assert.deepEqual(lines.lines(), ['a1', 'a2', 'a3', 'c1']);
    lines.add('b', ['b1']);
    assert.deepEqual(lines.lines(), ['a1', 'a2', 'a3', 'b1']);
    lines.add('d', ['d1']);
    lines.add('B', ['B1', 'B2', 'B3', 'B4', 'B5']);
    assert.deepEqual(lines.lines(), ['B1', 'B2', 'B3', 'B4']);
  });
});
