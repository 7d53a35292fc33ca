import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TagDecision } from '../../../src/domain/decision.js';
import { planDeletions, type DeletionPlan } from '../../../src/domain/deletion-plan.js';
import { aDecision, aTagDigest, fakeDigest } from '../../builders/index.js';

const SHARED = fakeDigest('shared');
const INDEX = fakeDigest('index');
const AMD64 = fakeDigest('amd64');

function actions(plan: DeletionPlan): Record<string, string> {
  return Object.fromEntries(plan.decisions.map((d) => [d.tag, `${d.action} ${d.reason}`]));
}

function withChildren(decision: TagDecision, children: readonly string[]): TagDecision {
  return { ...decision, children };
}

describe('planDeletions with shared_digest: untag (issue 21)', () => {
  it('a selected tag on the image of a kept tag is untagged, naming the kept tag; nothing is deleted', () => {
    const plan = planDeletions(
      [aDecision('v1', 'delete', { digest: SHARED }), aDecision('v2', 'delete')],
      [aTagDigest('stable', SHARED)],
      'untag',
    );
    assert.deepEqual(actions(plan), { v1: 'untag shared-digest', v2: 'delete old' });
    assert.deepEqual(plan.untags, [
      { repository: 'team/app', tag: 'v1', digest: SHARED, keptFor: 'stable' },
    ]);
    assert.deepEqual(
      plan.deletions.map((deletion) => deletion.tags),
      [['v2']],
    );
    const v1 = plan.decisions.find((decision) => decision.tag === 'v1');
    assert.match(v1?.detail ?? '', /image kept for `stable`/);
  });

  it('an image all of whose tags are selected is still deleted by digest, not untagged', () => {
    const plan = planDeletions(
      [aDecision('a', 'delete', { digest: SHARED }), aDecision('b', 'delete', { digest: SHARED })],
      [],
      'untag',
    );
    assert.deepEqual(plan.untags, []);
    assert.deepEqual(plan.deletions, [
      { repository: 'team/app', digest: SHARED, tags: ['a', 'b'] },
    ]);
  });

  it('keep (the default) never untags: the same input keeps the tag with reason shared-digest', () => {
    const plan = planDeletions(
      [aDecision('v1', 'delete', { digest: SHARED })],
      [aTagDigest('stable', SHARED)],
    );
    assert.deepEqual(actions(plan), { v1: 'keep shared-digest' });
    assert.deepEqual(plan.untags, []);
    assert.deepEqual(plan.deletions, []);
  });

  it('an unknown digest in the repository untags nothing and deletes nothing (unverifiable)', () => {
    const plan = planDeletions(
      [aDecision('v1', 'delete', { digest: SHARED })],
      [aTagDigest('stable', SHARED), aTagDigest('broken', undefined)],
      'untag',
    );
    assert.deepEqual(actions(plan), { v1: 'keep unverifiable' });
    assert.deepEqual(plan.untags, []);
  });

  it('an untagged index keeps its platform images: their selected tags are untagged for the kept tag', () => {
    const plan = planDeletions(
      [
        withChildren(aDecision('multi', 'delete', { digest: INDEX }), [AMD64]),
        aDecision('amd64-only', 'delete', { digest: AMD64 }),
      ],
      [{ ...aTagDigest('stable', INDEX), children: [AMD64] }],
      'untag',
    );
    assert.deepEqual(actions(plan), {
      multi: 'untag shared-digest',
      'amd64-only': 'untag platform-of-kept-index',
    });
    assert.deepEqual(
      plan.untags.map((untag) => `${untag.tag}->${untag.keptFor}`),
      ['amd64-only->stable', 'multi->stable'],
    );
    assert.deepEqual(plan.deletions, []);
  });

  it('a tag kept by the rules is never untagged', () => {
    const plan = planDeletions(
      [aDecision('v1', 'keep', { digest: SHARED }), aDecision('v2', 'delete', { digest: SHARED })],
      [],
      'untag',
    );
    assert.deepEqual(actions(plan), { v1: 'keep recent', v2: 'untag shared-digest' });
    assert.deepEqual(
      plan.untags.map((untag) => untag.tag),
      ['v2'],
    );
  });
});
