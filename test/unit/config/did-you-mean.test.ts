import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closestNames, editDistance } from '../../../src/adapters/config/did-you-mean.js';

describe('editDistance', () => {
  for (const [a, b, expected] of [
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
    ['clean-dev-tags', 'clean-dev-tags', 0],
    ['clean-dev-tgas', 'clean-dev-tags', 1], // a swap of two neighbours is one edit
    ['clean-devtags', 'clean-dev-tags', 1],
    ['abc', 'xyz', 3],
  ] as const) {
    it(`"${a}" -> "${b}" is ${expected}`, () => {
      assert.equal(editDistance(a, b), expected);
      assert.equal(editDistance(b, a), expected, 'symmetric');
    });
  }
});

describe('closestNames', () => {
  const known = ['clean-dev-tags', 'clean-prod-older-15', 'clean-feature-branches', 'x'];

  it('suggests the job a typo was meant for', () => {
    assert.deepEqual(closestNames('clean-dev-tgas', known), ['clean-dev-tags']);
    assert.deepEqual(closestNames('clean-prod-older-51', known), ['clean-prod-older-15']);
  });

  it('suggests a name that the typed one starts, and ignores case', () => {
    assert.deepEqual(closestNames('clean-dev', known), ['clean-dev-tags']);
    assert.deepEqual(closestNames('CLEAN-DEV-TAGS', known), ['clean-dev-tags']);
  });

  it('suggests nothing for an unrelated name, nor a one-letter guess', () => {
    assert.deepEqual(closestNames('nope', known), []);
    assert.deepEqual(closestNames('y', known), []);
  });

  it('puts the closest first and returns at most `limit`', () => {
    const names = ['job-12', 'job-1', 'job-2', 'job-3'];
    assert.deepEqual(closestNames('job-1x', names, 2), ['job-1', 'job-12']);
    assert.equal(closestNames('job-0', names).length, 3);
  });
});
