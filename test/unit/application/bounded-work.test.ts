import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forEachBounded, type Weigh } from '../../../src/application/bounded-work.js';

/** A promise settled from outside: an item's work ends when the test says so. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Lets every pending promise callback run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}

/**
 * Items that weigh themselves as soon as they start, then wait for the test to finish them.
 * `going` lists the items that went on (were admitted) and have not finished.
 */
function weighedItems(weights: readonly number[]) {
  const going = new Set<number>();
  const started: number[] = [];
  const finish = weights.map(() => latch());
  const work = async (index: number, weigh: Weigh): Promise<void> => {
    started.push(index);
    await weigh(weights[index] ?? 1);
    going.add(index);
    await finish[index]?.promise;
    going.delete(index);
  };
  return { going, started, finish, work };
}

describe('forEachBounded', () => {
  it('lets an item go on only while the weights of those that went on fit the limit', async () => {
    const items = weighedItems([600, 600, 600, 600]);
    const done = forEachBounded([0, 1, 2, 3], { items: 10, weight: 1_000 }, items.work);
    await settle();
    // All four started (their tag lists are cheap) but only the first went on: 600 + 600 > 1,000.
    assert.deepEqual(items.started, [0, 1, 2, 3]);
    assert.deepEqual([...items.going], [0]);
    items.finish[0]?.open();
    await settle();
    assert.deepEqual([...items.going], [1]);
    items.finish[1]?.open();
    items.finish[2]?.open();
    await settle();
    assert.deepEqual([...items.going], [3]);
    items.finish[3]?.open();
    await done;
    assert.equal(items.going.size, 0);
  });

  it('admits several light items together and keeps their order', async () => {
    const items = weighedItems([300, 300, 300, 300, 100]);
    const done = forEachBounded([0, 1, 2, 3, 4], { items: 10, weight: 1_000 }, items.work);
    await settle();
    assert.deepEqual([...items.going], [0, 1, 2]);
    // 100 would fit beside the three, but the 300 before it waits first (first come, first served).
    items.finish[0]?.open();
    await settle();
    assert.deepEqual([...items.going].sort(), [1, 2, 3, 4]);
    for (const item of items.finish) item.open();
    await done;
  });

  it('lets an item heavier than the limit go on alone rather than never', async () => {
    const items = weighedItems([5_000, 10]);
    const done = forEachBounded([0, 1], { items: 10, weight: 1_000 }, items.work);
    await settle();
    assert.deepEqual([...items.going], [0]);
    items.finish[0]?.open();
    await settle();
    assert.deepEqual([...items.going], [1]);
    items.finish[1]?.open();
    await done;
  });

  it('starts no more than `items` at once, weighed or not', async () => {
    const finish = [latch(), latch(), latch()];
    let inFlight = 0;
    let most = 0;
    const done = forEachBounded([0, 1, 2], { items: 2, weight: 1_000 }, async (index) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await finish[index]?.promise;
      inFlight -= 1;
    });
    await settle();
    assert.equal(inFlight, 2);
    for (const item of finish) item.open();
    await done;
    assert.equal(most, 2);
  });

  it('starts no new item while the admitted weight is at the limit', async () => {
    const items = weighedItems([1_000, 10, 10]);
    const done = forEachBounded([0, 1, 2], { items: 10, weight: 1_000 }, items.work);
    await settle();
    // Item 0 went on with the whole budget; the next ones are not even started.
    assert.deepEqual(items.started, [0]);
    items.finish[0]?.open();
    await settle();
    assert.deepEqual(items.started, [0, 1, 2]);
    for (const item of items.finish) item.open();
    await done;
  });

  it('a lighter second weight frees budget for the items waiting', async () => {
    const finish = [latch(), latch()];
    const going: number[] = [];
    const done = forEachBounded([0, 1], { items: 10, weight: 1_000 }, async (index, weigh) => {
      await weigh(800);
      going.push(index);
      if (index === 0) await weigh(100);
      await finish[index]?.promise;
    });
    await settle();
    assert.deepEqual(going, [0, 1], 'item 1 (800) went on once item 0 weighed 100');
    for (const item of finish) item.open();
    await done;
  });

  it('resolves at once for no items and rejects when an item rejects', async () => {
    await forEachBounded([], { items: 2, weight: 10 }, () => Promise.reject(new Error('never')));
    await assert.rejects(
      forEachBounded([1], { items: 2, weight: 10 }, () => Promise.reject(new Error('boom'))),
      /boom/,
    );
  });
});

describe('forEachBounded, an item that ends without waiting for its turn', () => {
  it('gives the turn up: the budget is not held for it and the others go on', async () => {
    const finish = [latch(), latch(), latch()];
    const going: number[] = [];
    const done = forEachBounded([0, 1, 2], { items: 10, weight: 1_000 }, async (index, weigh) => {
      if (index === 1) {
        // Weighs itself and ends at once (does not await its turn).
        void weigh(900);
        return;
      }
      await weigh(600);
      going.push(index);
      await finish[index]?.promise;
    });
    await settle();
    assert.deepEqual(going, [0]);
    finish[0]?.open();
    await settle();
    // Item 1's 900 was never admitted: item 2 goes on with the whole budget free.
    assert.deepEqual(going, [0, 2]);
    finish[2]?.open();
    await done;
  });
});
