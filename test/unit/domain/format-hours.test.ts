import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatHours } from '../../../src/domain/describe-time.js';

describe('formatHours (issue 27: the watch banner said "every 0.002 h")', () => {
  it('reads short intervals in seconds and minutes', () => {
    assert.equal(formatHours(0.002), '7 s');
    assert.equal(formatHours(5 / 60), '5 min');
    assert.equal(formatHours(0.5), '30 min');
  });

  it('reads whole and mixed hours', () => {
    assert.equal(formatHours(6), '6 h');
    assert.equal(formatHours(1.5), '1 h 30 min');
    assert.equal(formatHours(48), '48 h');
  });

  it('never prints an empty cadence for a tiny interval', () => {
    assert.equal(formatHours(0.0000001), 'under 1 s');
  });
});
