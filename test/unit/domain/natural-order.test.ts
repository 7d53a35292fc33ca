import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareCodePoints } from '../../../src/domain/code-point-order.js';
import { compareNatural } from '../../../src/domain/natural-order.js';

/** Sorted ascending by natural order, from a reversed copy so that the order is earned. */
function ascending(tags: readonly string[]): string[] {
  return [...tags].reverse().sort(compareNatural);
}

describe('compareNatural: digit runs as numbers, the rest by code point', () => {
  it('build numbers: build-9 < build-11 < build-99 < build-100', () => {
    const table = ['build-9', 'build-11', 'build-99', 'build-100'];
    assert.deepEqual(ascending(table), table);
  });

  it('several digit runs: 1.2.10 > 1.2.9 > 1.1.99', () => {
    assert.deepEqual(ascending(['1.2.10', '1.1.99', '1.2.9']), ['1.1.99', '1.2.9', '1.2.10']);
  });

  it('leading zeros do not count: 007 equals 7, and 010 > 9', () => {
    assert.equal(compareNatural('build-007', 'build-7'), 0);
    assert.ok(compareNatural('build-010', 'build-9') > 0);
    assert.ok(compareNatural('build-0', 'build-00001') < 0);
  });

  it('mixed runs: the text between numbers compares by code point', () => {
    assert.deepEqual(ascending(['r2-beta', 'r2-alpha', 'r10-alpha', 'r2']), [
      'r2',
      'r2-alpha',
      'r2-beta',
      'r10-alpha',
    ]);
    // A digit against a non-digit is a plain code-point comparison ('-' < '0'-'9' < 'a').
    assert.ok(compareNatural('a-1', 'a1') < 0);
    assert.ok(compareNatural('a1', 'ab') < 0);
  });

  it('a string is higher than its own prefix', () => {
    assert.ok(compareNatural('build-1', 'build') > 0);
    assert.ok(compareNatural('1', '1a') < 0);
  });

  it('numbers longer than 2^53 compare exactly', () => {
    assert.ok(compareNatural('n9007199254740993', 'n9007199254740992') > 0);
    assert.ok(compareNatural('n99999999999999999999', 'n100000000000000000000') < 0);
  });

  it('without digits it is plain code-point order (above U+FFFF too)', () => {
    const words = ['b', 'a', 'B', 'ab', 'a\u{1F600}', 'a\uFFFF', ''];
    assert.deepEqual([...words].sort(compareNatural), [...words].sort(compareCodePoints));
  });
});
