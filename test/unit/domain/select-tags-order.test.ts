import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TagDecision } from '../../../src/domain/decision.js';
import { notAVersionWarning } from '../../../src/domain/not-a-version.js';
import { selectTags } from '../../../src/domain/select-tags.js';
import type { InspectedTag } from '../../../src/domain/tag.js';
import { aFailedTag, aJob, aTag, fakeDigest, type JobSpec } from '../../builders/index.js';
import { daysAgo } from '../../../testkit/dates.js';

const NOW = new Date('2026-03-15T12:00:00Z');

/** Tags given oldest-created first: each next one a day newer, all of them old. */
function createdInThisOrder(names: readonly string[]): InspectedTag[] {
  return names.map((name, index) => aTag(name, daysAgo(100 - index, NOW)));
}

function select(tags: readonly InspectedTag[], spec: JobSpec): TagDecision[] {
  return selectTags(tags, aJob({ olderThanDays: 5, ...spec }), NOW);
}

function kept(decisions: readonly TagDecision[]): string[] {
  return decisions
    .filter((d) => d.action === 'keep')
    .map((d) => d.tag)
    .sort();
}

function only(decisions: readonly TagDecision[], tag: string): TagDecision {
  const found = decisions.find((d) => d.tag === tag);
  assert.ok(found !== undefined, `a decision for ${tag}`);
  return found;
}

// A rebuilt old branch: v1.2.1 was pushed last, v2.0.0 before it (issue 22's first case).
const RELEASES = createdInThisOrder(['v1.0.0', 'v2.0.0-rc.1', 'v2.0.0', 'v1.1.0', 'v1.2.1']);

describe('order_by: which old tags save_last keeps (issue 22)', () => {
  it('created (the default) keeps the newest images: the rebuilt patch, not the release', () => {
    assert.deepEqual(kept(select(RELEASES, { tagPatterns: ['v'], saveLast: 2 })), [
      'v1.1.0',
      'v1.2.1',
    ]);
  });

  it('semver keeps the highest versions whatever their dates; a pre-release is below its release', () => {
    const decisions = select(RELEASES, { tagPatterns: ['v'], saveLast: 2, orderBy: 'semver' });
    assert.deepEqual(kept(decisions), ['v2.0.0', 'v2.0.0-rc.1']);
    assert.deepEqual(only(decisions, 'v2.0.0-rc.1').ranking, {
      by: 'semver',
      places: [{ group: 'v', rank: 2 }],
    });
    const patch = only(decisions, 'v1.2.1');
    assert.equal(`${patch.action} ${patch.reason}`, 'delete old');
    assert.match(patch.detail, /#3 by semver among the old tags of group v: beyond save_last 2/);
    assert.match(only(decisions, 'v2.0.0').detail, /#1 by semver .*: within save_last 2/);
  });

  it('semver: the age rule still applies (a recent low version stays, an old high one is counted)', () => {
    const tags = [
      aTag('1.0.0', daysAgo(1, NOW)),
      aTag('3.0.0', daysAgo(30, NOW)),
      aTag('2.0.0', daysAgo(20, NOW)),
    ];
    const decisions = select(tags, { tagPatterns: ['\\d'], saveLast: 1, orderBy: 'semver' });
    assert.equal(only(decisions, '1.0.0').reason, 'recent');
    assert.equal(only(decisions, '3.0.0').reason, 'save-last');
    assert.equal(only(decisions, '2.0.0').action, 'delete');
  });

  it('semver: v1.2.3 and 1.2.3 tie, so the newer image goes first, then the tag name', () => {
    const tags = [
      aTag('1.2.3', daysAgo(20, NOW)),
      aTag('v1.2.3', daysAgo(10, NOW)),
      aTag('1.0.0', daysAgo(5, NOW)),
    ];
    const decisions = select(tags, { tagPatterns: ['v?\\d'], saveLast: 1, orderBy: 'semver' });
    assert.deepEqual(kept(decisions), ['v1.2.3']);
    const sameDay = [aTag('1.2.3', daysAgo(10, NOW)), aTag('v1.2.3', daysAgo(10, NOW))];
    const byName = select(sameDay, { tagPatterns: ['v?\\d'], saveLast: 1, orderBy: 'semver' });
    assert.deepEqual(kept(byName), ['v1.2.3'], "'v' > '1' in code-point order");
  });

  it('semver: a tag that is not a version is kept (not-a-version) at any age and named in one warning', () => {
    const tags = [
      ...RELEASES,
      aTag('latest', daysAgo(400, NOW)),
      aTag('v1.2', daysAgo(1, NOW)),
      aFailedTag('main'),
    ];
    const decisions = select(tags, { tagPatterns: ['.*'], saveLast: 1, orderBy: 'semver' });
    for (const tag of ['latest', 'v1.2', 'main']) {
      const decision = only(decisions, tag);
      assert.equal(`${decision.action} ${decision.reason}`, 'keep not-a-version', tag);
      assert.equal(decision.ranking, undefined);
    }
    // Non-versions take no save_last place: the highest version is still kept.
    assert.equal(only(decisions, 'v2.0.0').reason, 'save-last');
    const warning = notAVersionWarning(decisions);
    assert.ok(warning !== undefined);
    assert.match(warning, /not a version, kept because order_by is semver: latest, main, v1\.2 /);
    assert.equal(
      notAVersionWarning(select(RELEASES, { tagPatterns: ['v'], orderBy: 'semver' })),
      undefined,
    );
  });

  it('natural keeps the highest build numbers: build-100 > build-11 > build-9', () => {
    // Dates disagree: build-9 was rebuilt last.
    const tags = createdInThisOrder(['build-100', 'build-11', 'build-99', 'build-9']);
    const decisions = select(tags, { tagPatterns: ['build-'], saveLast: 2, orderBy: 'natural' });
    assert.deepEqual(kept(decisions), ['build-100', 'build-99']);
    assert.match(
      only(decisions, 'build-11').detail,
      /#3 by natural among the old tags of group build-/,
    );
    const byDate = select(tags, { tagPatterns: ['build-'], saveLast: 2 });
    assert.deepEqual(kept(byDate), ['build-9', 'build-99']);
  });

  it('natural: a leading-zero tie goes to the newer image', () => {
    const tags = [
      aTag('b-07', daysAgo(30, NOW)),
      aTag('b-7', daysAgo(20, NOW)),
      aTag('b-6', daysAgo(10, NOW)),
    ];
    const decisions = select(tags, { tagPatterns: ['b-'], saveLast: 1, orderBy: 'natural' });
    assert.deepEqual(kept(decisions), ['b-7']);
  });

  it('created keeps its old wording and reports its ranking too', () => {
    const decisions = select(RELEASES, { tagPatterns: ['v'], saveLast: 1 });
    const first = only(decisions, 'v1.2.1');
    assert.match(first.detail, /among the 1 newest old tags of group v \(#1\)/);
    assert.deepEqual(first.ranking, { by: 'created', places: [{ group: 'v', rank: 1 }] });
  });

  it('each group ranks on its own, in the same order', () => {
    const decisions = select(RELEASES, {
      tagPatterns: ['v1', 'v'],
      saveLast: 1,
      orderBy: 'semver',
    });
    assert.deepEqual(only(decisions, 'v1.2.1').ranking?.places, [
      { group: 'v1', rank: 1 },
      { group: 'v', rank: 3 },
    ]);
    assert.equal(only(decisions, 'v1.2.1').reason, 'kept-by-other-group');
  });
});

describe('keep_regexps: tags never deleted, taking no save_last place (issue 22)', () => {
  const tags = createdInThisOrder([
    'release-1',
    'release-2-pinned',
    'release-3',
    'release-4',
    'release-5-pinned',
    'release-6',
  ]);

  it('a keep rule that overlaps save_last: pinned tags stay and the save_last newest others too', () => {
    const decisions = select(tags, {
      tagPatterns: ['release-'],
      keepPatterns: ['.*-pinned'],
      saveLast: 2,
    });
    assert.deepEqual(kept(decisions), [
      'release-2-pinned',
      'release-4',
      'release-5-pinned',
      'release-6',
    ]);
    const pinned = only(decisions, 'release-5-pinned');
    assert.equal(pinned.reason, 'keep-rule');
    assert.match(pinned.detail, /matches keep_regexps entry \.\*-pinned/);
    assert.equal(pinned.ranking, undefined);
    // release-4 is #2: the pinned release-5 did not use up a place.
    assert.match(only(decisions, 'release-4').detail, /\(#2\)/);
  });

  it('anchored at the start like tag_regexps: "pinned" does not match release-2-pinned', () => {
    const decisions = select(tags, {
      tagPatterns: ['release-'],
      keepPatterns: ['pinned'],
      saveLast: 0,
    });
    assert.deepEqual(kept(decisions), []);
  });

  it('wins over every group, over not-a-version and over a failed inspection', () => {
    const decisions = select([...tags, aFailedTag('hotfix-x')], {
      tagPatterns: ['release-', 'hotfix-'],
      keepPatterns: ['release-1', 'hotfix-'],
      saveLast: 0,
      orderBy: 'semver',
    });
    assert.equal(only(decisions, 'release-1').reason, 'keep-rule');
    assert.equal(only(decisions, 'hotfix-x').reason, 'keep-rule');
    assert.equal(only(decisions, 'release-3').reason, 'not-a-version');
  });

  it('a tag in no group stays no-match even if a keep rule matches it', () => {
    const decisions = select([aTag('latest', daysAgo(50, NOW))], {
      tagPatterns: ['release-'],
      keepPatterns: ['latest'],
    });
    assert.equal(only(decisions, 'latest').reason, 'no-match');
  });

  it('keeps the digest known, so the deletion plan can protect a shared digest', () => {
    const digest = fakeDigest('shared');
    const shared = [
      aTag('release-1', daysAgo(50, NOW), { digest }),
      aTag('release-1-pinned', daysAgo(50, NOW), { digest }),
    ];
    const decisions = select(shared, {
      tagPatterns: ['release-'],
      keepPatterns: ['.*-pinned'],
      saveLast: 0,
    });
    assert.equal(only(decisions, 'release-1-pinned').digest, digest);
  });
});
