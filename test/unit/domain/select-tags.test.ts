import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TagDecision } from '../../../src/domain/decision.js';
import { compilePattern } from '../../../src/domain/job.js';
import { selectTags, type SelectionRules } from '../../../src/domain/select-tags.js';
import type { InspectedTag } from '../../../src/domain/tag.js';
import { aFailedTag, aJob, aTag, anUndatedTag, fakeDigest } from '../../builders/index.js';
import { daysAgo } from '../../../testkit/dates.js';

const NOW = new Date('2026-03-15T12:00:00Z');
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function rules(
  tagPatterns: readonly string[],
  saveLast: number,
  olderThanDays = 5,
): SelectionRules {
  return { tagPatterns: tagPatterns.map(compilePattern), saveLast, olderThanDays };
}

/** `tag -> "action reason"`, the shape most assertions compare. */
function outcomes(decisions: readonly TagDecision[]): Record<string, string> {
  return Object.fromEntries(decisions.map((d) => [d.tag, `${d.action} ${d.reason}`]));
}

function only(decisions: readonly TagDecision[], tag: string): TagDecision {
  const found = decisions.filter((d) => d.tag === tag);
  assert.equal(found.length, 1, `exactly one decision for ${tag}`);
  return found[0]!;
}

function oldTags(names: readonly string[], firstAgeDays = 10): InspectedTag[] {
  // names[0] is the newest; each next one a day older.
  return names.map((name, index) => aTag(name, daysAgo(firstAgeDays + index, NOW)));
}

describe('selectTags: section 2.1, matching is anchored at the start only', () => {
  const cases = [
    {
      rule: 'not end-anchored: v1 matches v1.2-dev',
      pattern: 'v1',
      tag: 'v1.2-dev',
      matches: true,
    },
    {
      rule: 'start-anchored: dev does not match my-dev',
      pattern: 'dev',
      tag: 'my-dev',
      matches: false,
    },
    {
      rule: 'a $ the user wrote still anchors the end',
      pattern: 'v1$',
      tag: 'v1.2',
      matches: false,
    },
    {
      rule: 'the anchor covers a whole alternation: a|b does not match xb',
      pattern: 'a|b',
      tag: 'xb',
      matches: false,
    },
    {
      rule: 'JavaScript regex syntax: \\d',
      pattern: 'release-\\d+',
      tag: 'release-12-rc',
      matches: true,
    },
    { rule: 'matching is case-sensitive', pattern: 'V1', tag: 'v1', matches: false },
  ];
  for (const c of cases) {
    it(`section 2.1: ${c.rule}`, () => {
      const [decision] = selectTags([aTag(c.tag, daysAgo(100, NOW))], rules([c.pattern], 0), NOW);
      assert.deepEqual(
        decision && `${decision.action} ${decision.reason}`,
        c.matches ? 'delete old' : 'keep no-match',
      );
    });
  }

  it('section 2.1: each pattern is its own group with its own save_last', () => {
    const tags = oldTags(['v2.2', 'v1.2', 'v2.1', 'v1.1', 'v2.0', 'v1.0']);
    const separate = selectTags(tags, rules(['v1', 'v2'], 1), NOW);
    assert.deepEqual(outcomes(separate), {
      'v2.2': 'keep save-last',
      'v1.2': 'keep save-last',
      'v2.1': 'delete old',
      'v1.1': 'delete old',
      'v2.0': 'delete old',
      'v1.0': 'delete old',
    });
    // One pattern over both series keeps only the single newest (the README's warning).
    const mixed = selectTags(tags, rules(['v'], 1), NOW);
    assert.equal(mixed.filter((d) => d.action === 'keep').length, 1);
    assert.equal(only(mixed, 'v2.2').reason, 'save-last');
  });
});

describe('selectTags: section 2.2, unresolved tags are kept', () => {
  it('section 2.2: a tag whose request failed is kept as unresolved, detail gives the problem', () => {
    const [decision] = selectTags(
      [aFailedTag('v1', { problem: 'HTTP 503 after 3 attempts' })],
      rules(['v'], 0),
      NOW,
    );
    assert.equal(decision?.action, 'keep');
    assert.equal(decision.reason, 'unresolved');
    assert.match(decision.detail, /HTTP 503 after 3 attempts/);
    assert.equal(decision.digest, undefined);
    assert.equal(decision.created, undefined);
  });

  it('section 2.2: an undated tag (no created) is kept as unresolved, its digest still reported', () => {
    const digest = fakeDigest('undated');
    const [decision] = selectTags(
      [anUndatedTag('v1', { digest, problem: 'no created field in the image config' })],
      rules(['v'], 0),
      NOW,
    );
    assert.equal(decision?.action, 'keep');
    assert.equal(decision.reason, 'unresolved');
    assert.equal(decision.digest, digest);
    assert.match(decision.detail, /no created field in the image config/);
  });

  it('section 2.2: a resolved tag with an invalid Date is kept as unresolved, never deleted', () => {
    const [decision] = selectTags([aTag('v1', new Date(Number.NaN))], rules(['v'], 0), NOW);
    assert.equal(`${decision?.action} ${decision?.reason}`, 'keep unresolved');
  });

  it('section 2.2 + 2.4: unresolved tags take no save_last place and do not count towards it', () => {
    const tags = [anUndatedTag('v9'), aFailedTag('v8'), ...oldTags(['v3', 'v2', 'v1'])];
    assert.deepEqual(outcomes(selectTags(tags, rules(['v'], 2), NOW)), {
      v9: 'keep unresolved',
      v8: 'keep unresolved',
      v3: 'keep save-last',
      v2: 'keep save-last',
      v1: 'delete old',
    });
  });
});

describe('selectTags: section 2.3, recent tags are kept (boundary: exactly older_than_days old is old)', () => {
  const cases = [
    {
      rule: '1 ms younger than older_than_days is recent',
      ageMs: 5 * DAY_MS - 1,
      olderThanDays: 5,
      expected: 'keep recent',
    },
    {
      rule: 'exactly older_than_days old is old',
      ageMs: 5 * DAY_MS,
      olderThanDays: 5,
      expected: 'delete old',
    },
    {
      rule: '1 ms older than older_than_days is old',
      ageMs: 5 * DAY_MS + 1,
      olderThanDays: 5,
      expected: 'delete old',
    },
    {
      rule: 'a created date after now (clock skew) is recent',
      ageMs: -HOUR_MS,
      olderThanDays: 5,
      expected: 'keep recent',
    },
    {
      rule: 'older_than_days 0: a tag created right now is old',
      ageMs: 0,
      olderThanDays: 0,
      expected: 'delete old',
    },
    {
      rule: 'older_than_days 0: a future tag is still recent',
      ageMs: -1,
      olderThanDays: 0,
      expected: 'keep recent',
    },
    {
      rule: 'fractional older_than_days 0.5: 11 hours is recent',
      ageMs: 11 * HOUR_MS,
      olderThanDays: 0.5,
      expected: 'keep recent',
    },
    {
      rule: 'fractional older_than_days 0.5: 12 hours is old',
      ageMs: 12 * HOUR_MS,
      olderThanDays: 0.5,
      expected: 'delete old',
    },
  ];
  for (const c of cases) {
    it(`section 2.3: ${c.rule}`, () => {
      const tag = aTag('v1', new Date(NOW.getTime() - c.ageMs));
      const [decision] = selectTags([tag], rules(['v'], 0, c.olderThanDays), NOW);
      assert.equal(decision && `${decision.action} ${decision.reason}`, c.expected);
    });
  }

  it('section 2.3: the detail of a recent tag gives its date and the comparison', () => {
    const [decision] = selectTags([aTag('v1', daysAgo(3.5, NOW))], rules(['v'], 0), NOW);
    assert.equal(decision?.detail, 'created 2026-03-12T00:00:00Z, 3 days old < 5 days');
  });

  it('section 2.3: recent tags are kept even when save_last is 0 and they are the only tags', () => {
    const tags = [
      aTag('v3', daysAgo(0, NOW)),
      aTag('v2', daysAgo(1, NOW)),
      aTag('v1', daysAgo(4, NOW)),
    ];
    const decisions = selectTags(tags, rules(['v'], 0), NOW);
    assert.ok(decisions.every((d) => d.action === 'keep' && d.reason === 'recent'));
  });

  it('section 2.3: 1970-01-01 is taken at face value: ancient, deleted when the rules say so', () => {
    const epoch = new Date(0);
    const decisions = selectTags(
      [aTag('reproducible', epoch), aTag('v1', daysAgo(30, NOW))],
      rules(['.*'], 1),
      NOW,
    );
    assert.deepEqual(outcomes(decisions), { reproducible: 'delete old', v1: 'keep save-last' });
    assert.match(
      only(decisions, 'reproducible').detail,
      /created 1970-01-01T00:00:00Z, 20527 days old >= 5 days/,
    );
    // save_last still protects it when it is among the N newest old tags.
    assert.equal(
      selectTags([aTag('reproducible', epoch)], rules(['.*'], 1), NOW)[0]?.action,
      'keep',
    );
  });
});

describe('selectTags: section 2.4, save_last counts among the old tags', () => {
  it('section 2.4 worked example: 3 recent + 10 old, save_last 5 -> 8 kept, 5 deleted', () => {
    const recent = [0, 1, 2].map((age) => aTag(`recent-${age}`, daysAgo(age, NOW)));
    const old = Array.from({ length: 10 }, (_, i) => aTag(`old-${i}`, daysAgo(10 + i, NOW)));
    const decisions = selectTags([...recent, ...old], rules(['.*'], 5), NOW);
    assert.equal(decisions.filter((d) => d.action === 'keep').length, 8);
    assert.equal(decisions.filter((d) => d.action === 'delete').length, 5);
    assert.deepEqual(
      decisions.filter((d) => d.reason === 'save-last').map((d) => d.tag),
      ['old-0', 'old-1', 'old-2', 'old-3', 'old-4'],
      'the 5 NEWEST old tags are saved',
    );
    assert.deepEqual(
      decisions.filter((d) => d.action === 'delete').map((d) => d.tag),
      ['old-5', 'old-6', 'old-7', 'old-8', 'old-9'],
    );
    assert.ok(recent.every((tag) => only(decisions, tag.tag).reason === 'recent'));
  });

  it('section 2.4: save_last 0 deletes every old tag and keeps every recent one', () => {
    const tags = [aTag('new', daysAgo(1, NOW)), ...oldTags(['a', 'b', 'c'])];
    assert.deepEqual(outcomes(selectTags(tags, rules(['.*'], 0), NOW)), {
      new: 'keep recent',
      a: 'delete old',
      b: 'delete old',
      c: 'delete old',
    });
  });

  it('section 2.4: save_last larger than the number of old tags keeps them all', () => {
    const decisions = selectTags(oldTags(['a', 'b', 'c']), rules(['.*'], 10), NOW);
    assert.ok(decisions.every((d) => d.reason === 'save-last'));
  });

  it('section 2.4: newest first regardless of input order or tag names', () => {
    const tags = [
      aTag('z-oldest', daysAgo(30, NOW)),
      aTag('a-newest', daysAgo(10, NOW)),
      aTag('m-middle', daysAgo(20, NOW)),
    ];
    assert.deepEqual(outcomes(selectTags(tags, rules(['.*'], 1), NOW)), {
      'z-oldest': 'delete old',
      'a-newest': 'keep save-last',
      'm-middle': 'delete old',
    });
  });

  const tieCases = [
    {
      rule: "ties broken by tag name, descending code-point order ('B' < 'a')",
      names: ['A', 'a', 'B', 'b'],
      saveLast: 2,
      kept: ['a', 'b'],
    },
    {
      rule: "ties: 'B' (66) sorts below 'a' (97), unlike locale order",
      names: ['a', 'B'],
      saveLast: 1,
      kept: ['a'],
    },
    {
      rule: 'ties: plain order, not numeric (v9 > v10)',
      names: ['v10', 'v9'],
      saveLast: 1,
      kept: ['v9'],
    },
    {
      rule: 'ties: a longer name with the same prefix is greater',
      names: ['v1', 'v1-rc'],
      saveLast: 1,
      kept: ['v1-rc'],
    },
    {
      rule: 'ties: code points, not UTF-16 units (U+1F600 > U+FF5E)',
      names: ['\uff5e', '\u{1f600}'],
      saveLast: 1,
      kept: ['\u{1f600}'],
    },
  ];
  for (const c of tieCases) {
    it(`section 2.4: ${c.rule}`, () => {
      const created = daysAgo(10, NOW);
      for (const names of [c.names, [...c.names].reverse()]) {
        const decisions = selectTags(
          names.map((name) => aTag(name, created)),
          rules(['.*'], c.saveLast),
          NOW,
        );
        const kept = decisions
          .filter((d) => d.action === 'keep')
          .map((d) => d.tag)
          .sort();
        assert.deepEqual(kept, [...c.kept].sort(), `input order ${names.join(',')}`);
      }
    });
  }

  it('section 2.4: the details say where each old tag stands in its group', () => {
    const decisions = selectTags(oldTags(['v5.1', 'v5.0']), rules(['^v5\\.'], 1), NOW);
    assert.equal(
      only(decisions, 'v5.1').detail,
      'created 2026-03-05T12:00:00Z, 10 days old >= 5 days; among the 1 newest old tags of group ^v5\\. (#1)',
    );
    assert.equal(
      only(decisions, 'v5.0').detail,
      'created 2026-03-04T12:00:00Z, 11 days old >= 5 days; not among the 1 newest old tags of group ^v5\\. (#2)',
    );
    const none = selectTags(oldTags(['v5.1']), rules(['^v5\\.'], 0), NOW);
    assert.match(none[0]?.detail ?? '', /save_last is 0 in group \^v5\\\. \(#1 of its old tags\)/);
  });
});

describe('selectTags: overlapping groups and tags matching nothing', () => {
  it('section 2 (keep wins): a tag in several groups is deleted only if every group selects it', () => {
    // Group "v": v2.0 saved, v1.1 and v1.0 selected. Group "v1": v1.1 saved, v1.0 selected.
    const tags = oldTags(['v2.0', 'v1.1', 'v1.0']);
    const decisions = selectTags(tags, rules(['v', 'v1'], 1), NOW);
    assert.deepEqual(outcomes(decisions), {
      'v2.0': 'keep save-last',
      'v1.1': 'keep kept-by-other-group',
      'v1.0': 'delete old',
    });
    const detail = only(decisions, 'v1.1').detail;
    assert.match(
      detail,
      /among the 1 newest old tags of group v1 \(#1\)/,
      'names the keeping group',
    );
    assert.match(
      detail,
      /not among the 1 newest old tags of group v \(#2\)/,
      'names the selecting group',
    );
    assert.match(only(decisions, 'v1.0').detail, /group v \(#3\).*group v1 \(#2\)/);
  });

  it('section 2 (keep wins): kept by every group that matches it -> save-last, not kept-by-other-group', () => {
    const decisions = selectTags(oldTags(['v1.1', 'v1.0']), rules(['v', 'v1'], 1), NOW);
    assert.equal(only(decisions, 'v1.1').reason, 'save-last');
    assert.equal(only(decisions, 'v1.0').action, 'delete');
  });

  it('section 2: tags that match no regexp are never deleted, however old, whatever save_last', () => {
    const tags = [
      aTag('latest', new Date(0)),
      aTag('main', daysAgo(400, NOW)),
      aFailedTag('broken'),
      aTag('v1', daysAgo(400, NOW)),
    ];
    const decisions = selectTags(tags, rules(['v'], 0), NOW);
    assert.deepEqual(outcomes(decisions), {
      latest: 'keep no-match',
      main: 'keep no-match',
      broken: 'keep no-match',
      v1: 'delete old',
    });
    assert.equal(
      only(decisions, 'main').detail,
      'matches none of the tag patterns (v): never deleted',
    );
  });

  it('section 2: a job with no patterns deletes nothing', () => {
    const decisions = selectTags(oldTags(['a', 'b']), rules([], 0), NOW);
    assert.ok(decisions.every((d) => d.reason === 'no-match'));
  });
});

describe('selectTags: output and inputs', () => {
  it('decisions come back in input order with digest and created carried over', () => {
    const tags = [aTag('b', daysAgo(10, NOW)), anUndatedTag('c'), aTag('a', daysAgo(1, NOW))];
    const decisions = selectTags(tags, rules(['.*'], 0), NOW);
    assert.deepEqual(
      decisions.map((d) => d.tag),
      ['b', 'c', 'a'],
    );
    assert.deepEqual(
      decisions.map((d) => [d.repository, d.digest, d.created?.toISOString()]),
      [
        ['team/app', fakeDigest('team/app:b'), daysAgo(10, NOW).toISOString()],
        ['team/app', fakeDigest('team/app:c'), undefined],
        ['team/app', fakeDigest('team/app:a'), daysAgo(1, NOW).toISOString()],
      ],
    );
  });

  it('a Job is accepted as the rules (structural type)', () => {
    const job = aJob({ tagPatterns: ['v'], saveLast: 1, olderThanDays: 5 });
    const decisions = selectTags(oldTags(['v2', 'v1']), job, NOW);
    assert.deepEqual(outcomes(decisions), { v2: 'keep save-last', v1: 'delete old' });
  });

  it('tags of several repositories are ranked per repository, never across', () => {
    const tags = [
      aTag('v2', daysAgo(10, NOW), { repository: 'a' }),
      aTag('v1', daysAgo(11, NOW), { repository: 'a' }),
      aTag('v2', daysAgo(20, NOW), { repository: 'b' }),
      aTag('v1', daysAgo(21, NOW), { repository: 'b' }),
    ];
    const decisions = selectTags(tags, rules(['v'], 1), NOW);
    assert.deepEqual(
      decisions.map((d) => `${d.repository}:${d.tag} ${d.action}`),
      ['a:v2 keep', 'a:v1 delete', 'b:v2 keep', 'b:v1 delete'],
    );
  });

  const invalid = [
    { rule: 'save_last NaN would delete everything', saveLast: Number.NaN, olderThanDays: 5 },
    { rule: 'negative save_last', saveLast: -1, olderThanDays: 5 },
    { rule: 'fractional save_last', saveLast: 1.5, olderThanDays: 5 },
    { rule: 'negative older_than_days', saveLast: 1, olderThanDays: -1 },
    { rule: 'NaN older_than_days', saveLast: 1, olderThanDays: Number.NaN },
  ];
  for (const c of invalid) {
    it(`rejects invalid rules with a RangeError: ${c.rule}`, () => {
      assert.throws(
        () =>
          selectTags(
            oldTags(['v1']),
            {
              tagPatterns: [compilePattern('v')],
              saveLast: c.saveLast,
              olderThanDays: c.olderThanDays,
            },
            NOW,
          ),
        RangeError,
      );
    });
  }
});
