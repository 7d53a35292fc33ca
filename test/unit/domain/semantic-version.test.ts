import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import semver from 'semver';
import {
  compareSemanticVersions,
  parseSemanticVersion,
  type SemanticVersion,
} from '../../../src/domain/semantic-version.js';
import { seededRandom } from '../../../testkit/random.js';

function version(tag: string): SemanticVersion {
  const parsed = parseSemanticVersion(tag);
  assert.ok(parsed !== undefined, `${tag} parses as a version`);
  return parsed;
}

function compare(a: string, b: string): number {
  return compareSemanticVersions(version(a), version(b));
}

/** Sorts ascending by our precedence; the inputs are shuffled first so that order is earned. */
function ascending(tags: readonly string[]): string[] {
  return [...tags].reverse().sort(compare);
}

describe('SemVer 2.0 precedence (section 11), the domain comparison', () => {
  it('the spec example 11.4: 1.0.0-alpha < 1.0.0-alpha.1 < ... < 1.0.0-rc.1 < 1.0.0', () => {
    const table = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
    ];
    assert.deepEqual(ascending(table), table);
    for (let i = 0; i + 1 < table.length; i += 1) {
      const lower = table[i] ?? '';
      const higher = table[i + 1] ?? '';
      assert.ok(compare(lower, higher) < 0, `${lower} < ${higher}`);
      assert.ok(compare(higher, lower) > 0, `${higher} > ${lower}`);
    }
  });

  it('the spec example 11.2: 1.0.0 < 2.0.0 < 2.1.0 < 2.1.1, fields numerically (9 < 10)', () => {
    const table = ['1.0.0', '1.9.0', '1.10.0', '1.11.0', '2.0.0', '2.1.0', '2.1.1'];
    assert.deepEqual(ascending(table), table);
  });

  it('11.3: a pre-release is lower than its release, and higher than the release before', () => {
    assert.ok(compare('1.0.0-alpha', '1.0.0') < 0);
    assert.ok(compare('1.0.0-rc.1', '0.9.9') > 0);
  });

  it('11.4.3: a numeric identifier is lower than an alphanumeric one (1 < 1a < a)', () => {
    assert.ok(compare('1.0.0-1', '1.0.0-1a') < 0);
    assert.ok(compare('1.0.0-9', '1.0.0-a') < 0);
    assert.ok(compare('1.0.0-Z', '1.0.0-a') < 0, 'ASCII order: uppercase before lowercase');
  });

  it('fields above 2^53 still compare exactly (digit strings, not numbers)', () => {
    assert.ok(compare('1.0.9007199254740993', '1.0.9007199254740992') > 0);
    assert.ok(compare('1.0.0-rc.9007199254740993', '1.0.0-rc.9007199254740992') > 0);
  });

  it('build metadata is ignored for precedence (section 10)', () => {
    assert.equal(compare('1.0.0+build.1', '1.0.0+build.2'), 0);
  });
});

describe('parseSemanticVersion: which tags are versions', () => {
  it('an optional leading lowercase v: v1.2.3 equals 1.2.3', () => {
    assert.equal(compare('v1.2.3', '1.2.3'), 0);
    assert.equal(compare('v2.0.0-rc.1', '2.0.0-rc.1'), 0);
  });

  const notVersions = [
    'latest',
    '1.2',
    '1',
    'v1.2',
    'V1.2.3',
    'vv1.2.3',
    '01.2.3',
    '1.02.3',
    '1.2.03',
    '1.2.3-rc.01',
    '1.2.3-',
    '1.2.3-rc..1',
    '1.2.3.4',
    'release-1.2.3',
    '1.2.3-rc_1',
  ];
  for (const tag of notVersions) {
    it(`"${tag}" is not a version (npm semver agrees)`, () => {
      assert.equal(parseSemanticVersion(tag), undefined);
      assert.equal(semver.valid(tag), null);
    });
  }

  const versions = [
    '0.0.0',
    '1.2.3-0',
    '1.2.3-0a',
    '1.2.3-a-b.c--d',
    '1.2.3-x.7.z.92',
    'v10.20.30',
  ];
  for (const tag of versions) {
    it(`"${tag}" is a version (npm semver agrees)`, () => {
      assert.notEqual(parseSemanticVersion(tag), undefined);
      assert.notEqual(semver.valid(tag), null);
    });
  }
});

describe('the domain comparison agrees with the npm semver package', () => {
  /** Versions from small parts, so that many pairs share prefixes and differ late. */
  function generated(count: number, seed: number): string[] {
    const random = seededRandom(seed);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
    const numbers = ['0', '1', '2', '9', '10', '11', '100'];
    const identifiers = [
      '0',
      '1',
      '2',
      '10',
      'a',
      'alpha',
      'beta',
      'rc',
      'A',
      'a1',
      '1a',
      '-',
      'x-y',
    ];
    const tags: string[] = [];
    for (let n = 0; n < count; n += 1) {
      const core = `${pick(numbers)}.${pick(numbers)}.${pick(numbers)}`;
      const parts = Math.floor(random() * 4);
      const pre = Array.from({ length: parts }, () => pick(identifiers)).join('.');
      tags.push(`${random() < 0.3 ? 'v' : ''}${core}${parts > 0 ? `-${pre}` : ''}`);
    }
    return tags;
  }

  it('on every pair of 200 generated versions (40,000 comparisons)', () => {
    const tags = generated(200, 22);
    let disagreements = 0;
    for (const a of tags) {
      for (const b of tags) {
        const ours = Math.sign(compare(a, b));
        const theirs = semver.compare(a, b);
        if (ours !== theirs) {
          disagreements += 1;
          assert.equal(ours, theirs, `${a} vs ${b}`);
        }
      }
    }
    assert.equal(disagreements, 0);
  });

  it('on every tag of the generator: parse agrees with semver.valid', () => {
    for (const tag of generated(300, 7)) {
      assert.equal(parseSemanticVersion(tag) !== undefined, semver.valid(tag) !== null, tag);
    }
  });
});
