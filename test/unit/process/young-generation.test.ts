import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  capYoungGeneration,
  YOUNG_GENERATION_CAP_BYTES,
} from '../../../src/adapters/process/young-generation.js';

const MB = 1024 * 1024;

/** A new space of `size` bytes; `collect()` runs the observer's check as V8 would after a GC. */
function fakeV8(size: number) {
  const fake = {
    size,
    stops: 0,
    check: undefined as (() => boolean) | undefined,
    collect(): void {
      if (fake.check?.() === true) fake.check = undefined;
    },
  };
  const probe = {
    newSpaceBytes: () => fake.size,
    stopGrowth: () => {
      fake.stops += 1;
    },
    afterCollections: (check: () => boolean) => {
      fake.check = check;
    },
  };
  return { fake, probe };
}

describe('capYoungGeneration', () => {
  it('stops the growth at once when the new space already has its cap', () => {
    const { fake, probe } = fakeV8(YOUNG_GENERATION_CAP_BYTES);
    capYoungGeneration(probe);
    assert.equal(fake.stops, 1);
    assert.equal(fake.check, undefined);
  });

  it('lets a smaller new space grow up to the cap, then stops the growth once', () => {
    const { fake, probe } = fakeV8(4 * MB);
    capYoungGeneration(probe);
    fake.collect();
    fake.size = 8 * MB;
    fake.collect();
    assert.equal(fake.stops, 0);
    fake.size = 16 * MB;
    fake.collect();
    assert.equal(fake.stops, 1);
    assert.equal(fake.check, undefined, 'no more checks after the cap');
  });
});
