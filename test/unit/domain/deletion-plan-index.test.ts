import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TagDecision } from '../../../src/domain/decision.js';
import { planDeletions } from '../../../src/domain/deletion-plan.js';
import { aDecision, aTagDigest, fakeDigest } from '../../builders/index.js';

const AMD64 = fakeDigest('amd64');
const ARM64 = fakeDigest('arm64');
const INDEX = fakeDigest('index');

function withChildren(decision: TagDecision, children: readonly string[]): TagDecision {
  return { ...decision, children };
}

function reasonOf(plan: ReturnType<typeof planDeletions>, tag: string): string | undefined {
  return plan.decisions.find((decision) => decision.tag === tag)?.reason;
}

describe('deletion plan: platform images of a kept index (behaviour.md section 3)', () => {
  it('a selected per-arch tag whose digest is a platform of a kept index is kept', () => {
    const plan = planDeletions(
      [
        withChildren(aDecision('v1', 'keep', { digest: INDEX }), [AMD64, ARM64]),
        aDecision('v1-amd64', 'delete', { digest: AMD64 }),
        aDecision('v0-amd64', 'delete', { digest: fakeDigest('old') }),
      ],
      [],
    );
    assert.equal(reasonOf(plan, 'v1-amd64'), 'platform-of-kept-index');
    assert.match(plan.decisions[1]?.detail ?? '', /platform image of kept index tag v1/);
    assert.deepEqual(
      plan.deletions.map((deletion) => deletion.tags),
      [['v0-amd64']],
    );
  });

  it('an index outside every pattern protects its platforms too', () => {
    const plan = planDeletions(
      [aDecision('dev-arm64', 'delete', { digest: ARM64 })],
      [{ ...aTagDigest('latest', INDEX), children: [AMD64, ARM64] }],
    );
    assert.equal(reasonOf(plan, 'dev-arm64'), 'platform-of-kept-index');
    assert.deepEqual(plan.deletions, []);
  });

  it('when the index itself is deleted, its per-arch tags may go with it', () => {
    const plan = planDeletions(
      [
        withChildren(aDecision('v1', 'delete', { digest: INDEX }), [AMD64]),
        aDecision('v1-amd64', 'delete', { digest: AMD64 }),
      ],
      [],
    );
    assert.deepEqual(
      plan.deletions.map((deletion) => deletion.digest).sort(),
      [AMD64, INDEX].sort(),
    );
  });

  it('keeping is transitive: an index kept for a shared digest keeps its platforms', () => {
    const plan = planDeletions(
      [
        withChildren(aDecision('v1', 'delete', { digest: INDEX }), [AMD64]),
        aDecision('v1-amd64', 'delete', { digest: AMD64 }),
      ],
      [aTagDigest('stable', INDEX)],
    );
    assert.equal(reasonOf(plan, 'v1'), 'shared-digest');
    assert.equal(reasonOf(plan, 'v1-amd64'), 'platform-of-kept-index');
    assert.deepEqual(plan.deletions, []);
  });
});
