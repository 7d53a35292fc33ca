import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LruMap } from '../../../src/adapters/registry/cache/lru-map.js';

describe('LruMap', () => {
  it('holds at most its limit and forgets the least recently used first', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    assert.equal(map.get('a'), 1); // a is now the most recent
    map.set('c', 3);
    assert.equal(map.size, 2);
    assert.equal(map.peek('b'), undefined);
    assert.deepEqual([...map.values()], [1, 3]);
  });

  it('peek does not change the order; set of an existing key refreshes it', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    assert.equal(map.peek('a'), 1);
    map.set('c', 3);
    assert.equal(map.peek('a'), undefined);
    map.set('b', 20);
    map.set('d', 4);
    assert.deepEqual([...map.values()], [20, 4]);
    map.delete('b');
    map.clear();
    assert.equal(map.size, 0);
  });
});

describe('LruMap with orderFrom (issue 25: reads do not reorder far from the limit)', () => {
  it('leaves the order alone on get() until it holds more than orderFrom entries', () => {
    const map = new LruMap<string, number>(4, 2);
    map.set('a', 1);
    map.set('b', 2);
    assert.equal(map.get('a'), 1);
    assert.deepEqual([...map.values()], [1, 2], 'two entries: a read leaves a first');
    map.set('c', 3);
    assert.equal(map.get('a'), 1);
    assert.deepEqual([...map.values()], [2, 3, 1], 'three entries: a read moves a last');
    map.set('d', 4);
    map.set('e', 5);
    assert.deepEqual([...map.values()], [3, 1, 4, 5], 'the least recently used (b) went first');
  });
});
