import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCount } from '../../../src/adapters/shared/text/numbers.js';

describe('formatCount', () => {
  it("groups thousands exactly as toLocaleString('en-US') does", () => {
    const values = [0, 7, 12, 999, 1000, 1234, 99_999, 100_000, 1_234_567, 9_007_199_254_740_991];
    for (const value of [...values, ...values.map((v) => -v), 1.5, 1234.5678, -0.25]) {
      assert.equal(formatCount(value), value.toLocaleString('en-US'), String(value));
    }
    assert.equal(formatCount(1_234_567), '1,234,567');
  });
});
