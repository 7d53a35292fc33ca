import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TagDecision } from '../../../src/domain/decision.js';
import { planDeletions, type DeletionPlan } from '../../../src/domain/deletion-plan.js';
import { compilePattern } from '../../../src/domain/job.js';
import { selectTags } from '../../../src/domain/select-tags.js';
import { aDecision, aFailedTag, aTag, aTagDigest, fakeDigest } from '../../builders/index.js';
import { daysAgo } from '../../../testkit/dates.js';

const NOW = new Date('2026-03-15T12:00:00Z');
const SHARED = fakeDigest('shared');

function outcomes(plan: DeletionPlan): Record<string, string> {
  return Object.fromEntries(plan.decisions.map((d) => [d.tag, `${d.action} ${d.reason}`]));
}

function only(decisions: readonly TagDecision[], tag: string): TagDecision {
  const found = decisions.filter((d) => d.tag === tag);
  assert.equal(found.length, 1, `exactly one decision for ${tag}`);
  return found[0]!;
}

describe('planDeletions: section 3, never take a kept tag with a digest', () => {
  it('section 3: selected tags on their own digests -> one deletion each, decisions unchanged', () => {
    const decisions = [
      aDecision('v1', 'delete'),
      aDecision('v2', 'delete'),
      aDecision('v3', 'keep'),
    ];
    const plan = planDeletions(decisions, []);
    assert.deepEqual(plan.decisions, decisions);
    const byDigest = Object.fromEntries(plan.deletions.map((d) => [d.digest, d.tags]));
    assert.deepEqual(byDigest, {
      [fakeDigest('team/app:v1')]: ['v1'],
      [fakeDigest('team/app:v2')]: ['v2'],
    });
    assert.equal(plan.deletions.length, 2);
  });

  it('section 3: a digest shared with a non-matching tag `latest` is protected (shared-digest names latest)', () => {
    const plan = planDeletions(
      [aDecision('v1', 'delete', { digest: SHARED })],
      [aTagDigest('latest', SHARED)],
    );
    assert.deepEqual(plan.deletions, []);
    const v1 = only(plan.decisions, 'v1');
    assert.equal(`${v1.action} ${v1.reason}`, 'keep shared-digest');
    assert.match(v1.detail, new RegExp(`digest ${SHARED} is shared with kept tag latest`));
  });

  it('section 3: end to end, an old v1 and a no-match latest on one digest: nothing deleted', () => {
    const tags = [
      aTag('v1', daysAgo(100, NOW), { digest: SHARED }),
      aTag('latest', daysAgo(100, NOW), { digest: SHARED }),
    ];
    const decisions = selectTags(
      tags,
      { tagPatterns: [compilePattern('v')], saveLast: 0, olderThanDays: 5 },
      NOW,
    );
    assert.equal(only(decisions, 'v1').action, 'delete', 'precondition: selection picks v1');
    const plan = planDeletions(decisions, []);
    assert.deepEqual(plan.deletions, []);
    assert.deepEqual(outcomes(plan), { v1: 'keep shared-digest', latest: 'keep no-match' });
  });

  it('section 3: a digest shared with a kept decided tag (recent, save-last...) is protected', () => {
    const decisions = [
      aDecision('v1', 'delete', { digest: SHARED }),
      aDecision('v1-final', 'keep', { digest: SHARED, reason: 'save-last' }),
    ];
    const plan = planDeletions(decisions, []);
    assert.deepEqual(plan.deletions, []);
    assert.match(only(plan.decisions, 'v1').detail, /shared with kept tag v1-final/);
    assert.deepEqual(only(plan.decisions, 'v1-final'), decisions[1]);
  });

  it('section 3: the shared-digest detail names one kept tag, the first by code point', () => {
    const plan = planDeletions(
      [aDecision('v1', 'delete', { digest: SHARED })],
      [aTagDigest('stable', SHARED), aTagDigest('latest', SHARED), aTagDigest('Latest', SHARED)],
    );
    assert.match(only(plan.decisions, 'v1').detail, /kept tag Latest$/);
  });

  it('section 3: all tags on a digest selected -> ONE deletion carrying both tags, sorted', () => {
    const plan = planDeletions(
      [
        aDecision('v1.0', 'delete', { digest: SHARED }),
        aDecision('v1', 'delete', { digest: SHARED }),
      ],
      [],
    );
    assert.deepEqual(plan.deletions, [
      { repository: 'team/app', digest: SHARED, tags: ['v1', 'v1.0'] },
    ]);
    assert.deepEqual(outcomes(plan), { 'v1.0': 'delete old', v1: 'delete old' });
  });

  it('section 3: each digest is deleted once', () => {
    const other = fakeDigest('other');
    const plan = planDeletions(
      [
        aDecision('a', 'delete', { digest: SHARED }),
        aDecision('b', 'delete', { digest: other }),
        aDecision('c', 'delete', { digest: SHARED }),
        aDecision('d', 'delete', { digest: SHARED }),
        aDecision('e', 'delete', { digest: other }),
      ],
      [],
    );
    const digests = plan.deletions.map((d) => d.digest);
    assert.equal(digests.length, 2);
    assert.equal(new Set(digests).size, digests.length);
    assert.deepEqual(plan.deletions.flatMap((d) => d.tags).sort(), ['a', 'b', 'c', 'd', 'e']);
  });

  it("section 3: 'in that repository': the same digest in another repository protects nothing", () => {
    const plan = planDeletions(
      [
        aDecision('v1', 'delete', { repository: 'team/a', digest: SHARED }),
        aDecision('latest', 'keep', { repository: 'team/b', digest: SHARED, reason: 'no-match' }),
      ],
      [aTagDigest('stable', SHARED, 'team/c')],
    );
    assert.deepEqual(plan.deletions, [{ repository: 'team/a', digest: SHARED, tags: ['v1'] }]);
  });

  it('section 3: deletions are ordered by repository, then digest (deterministic)', () => {
    const decisions = [
      aDecision('x', 'delete', { repository: 'b' }),
      aDecision('y', 'delete', { repository: 'a' }),
      aDecision('z', 'delete', { repository: 'a' }),
    ];
    const plan = planDeletions(decisions, []);
    const reversed = planDeletions([...decisions].reverse(), []);
    assert.deepEqual(plan.deletions, reversed.deletions);
    assert.deepEqual(
      plan.deletions.map((d) => d.repository),
      ['a', 'a', 'b'],
    );
  });

  it('a kept decision is never turned into a deletion, and decisions keep their input order', () => {
    const decisions = [
      aDecision('k1', 'keep', { digest: SHARED }),
      aDecision('d1', 'delete'),
      aDecision('k2', 'keep', { reason: 'no-match' }),
    ];
    const plan = planDeletions(decisions, []);
    assert.deepEqual(
      plan.decisions.map((d) => `${d.tag} ${d.action}`),
      ['k1 keep', 'd1 delete', 'k2 keep'],
    );
    assert.ok(!plan.deletions.some((d) => d.digest === SHARED));
  });
});

describe('planDeletions: section 3, an unknown digest makes a repository unverifiable', () => {
  it('section 3: a decided tag without digest (request failed) -> every selected tag of that repository kept as unverifiable', () => {
    const [failed] = selectTags(
      [aFailedTag('v0')],
      { tagPatterns: [compilePattern('v')], saveLast: 0, olderThanDays: 5 },
      NOW,
    );
    assert.ok(failed);
    const plan = planDeletions([failed, aDecision('v1', 'delete'), aDecision('v2', 'delete')], []);
    assert.deepEqual(plan.deletions, []);
    assert.deepEqual(outcomes(plan), {
      v0: 'keep unresolved',
      v1: 'keep unverifiable',
      v2: 'keep unverifiable',
    });
    assert.match(only(plan.decisions, 'v1').detail, /the digest of tag v0 is unknown/);
  });

  it('section 3: an other tag with an unknown digest blocks too', () => {
    const plan = planDeletions([aDecision('v1', 'delete')], [aTagDigest('latest', undefined)]);
    assert.deepEqual(plan.deletions, []);
    assert.equal(only(plan.decisions, 'v1').reason, 'unverifiable');
    assert.match(only(plan.decisions, 'v1').detail, /tag latest is unknown/);
  });

  it('section 3: the unknown tag named is the first by code point (deterministic)', () => {
    const plan = planDeletions(
      [aDecision('v1', 'delete')],
      [
        aTagDigest('zeta', undefined),
        aTagDigest('Beta', undefined),
        aTagDigest('alpha', undefined),
      ],
    );
    assert.match(only(plan.decisions, 'v1').detail, /tag Beta is unknown/);
  });

  it('section 3: other repositories are unaffected by one repository being unverifiable', () => {
    const plan = planDeletions(
      [
        aDecision('v1', 'delete', { repository: 'a' }),
        aDecision('v1', 'delete', { repository: 'b' }),
      ],
      [aTagDigest('latest', undefined, 'a')],
    );
    assert.deepEqual(
      plan.deletions.map((d) => `${d.repository}:${d.tags.join(',')}`),
      ['b:v1'],
    );
    assert.deepEqual(
      plan.decisions.map((d) => `${d.repository}:${d.reason}`),
      ['a:unverifiable', 'b:old'],
    );
  });

  it('an other tag that also has a decision is ignored: the decision wins', () => {
    const plan = planDeletions([aDecision('v1', 'delete')], [aTagDigest('v1', undefined)]);
    assert.equal(plan.deletions.length, 1);
  });

  it('other tags of a repository without decisions plan nothing', () => {
    const plan = planDeletions([], [aTagDigest('latest', undefined), aTagDigest('v1', SHARED)]);
    assert.deepEqual(plan, { decisions: [], deletions: [], untags: [] });
  });
});

describe('planDeletions: section 3, manifest lists / OCI indexes', () => {
  it("section 3: an index is deleted by its own digest; a child's digest never appears", () => {
    const indexDigest = fakeDigest('index');
    const childDigests = [fakeDigest('child-amd64'), fakeDigest('child-arm64')];
    const tags = [aTag('v1', daysAgo(100, NOW), { kind: 'index', digest: indexDigest })];
    const decisions = selectTags(
      tags,
      { tagPatterns: [compilePattern('v')], saveLast: 0, olderThanDays: 5 },
      NOW,
    );
    const plan = planDeletions(decisions, []);
    assert.deepEqual(plan.deletions, [
      { repository: 'team/app', digest: indexDigest, tags: ['v1'] },
    ]);
    const serialized = JSON.stringify(plan);
    for (const child of childDigests) assert.ok(!serialized.includes(child));
  });
});
