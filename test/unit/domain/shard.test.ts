import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fnv1a32,
  inShard,
  parseShard,
  shardLabel,
  shardOf,
  type Shard,
} from '../../../src/domain/shard.js';

/** 10,000 names shaped like real catalogs: teams, services, nested paths, near-duplicates. */
function catalog(size: number): string[] {
  const teams = ['platform', 'payments', 'search', 'web', 'data', 'ml', 'infra'];
  return Array.from({ length: size }, (_, n) => {
    const team = teams[n % teams.length] ?? 'team';
    return n % 3 === 0 ? `${team}/service-${String(n)}` : `${team}/app${String(n)}/worker`;
  });
}

describe('shard partition (issue 24, behaviour.md section 8)', () => {
  it('is 32-bit FNV-1a of the UTF-8 bytes: the published test vectors', () => {
    assert.equal(fnv1a32(''), 0x811c9dc5);
    assert.equal(fnv1a32('a'), 0xe40c292c);
    assert.equal(fnv1a32('foobar'), 0xbf9cf968);
    // UTF-8, not UTF-16 code units: "é" is the two bytes c3 a9.
    assert.equal(fnv1a32('é'), fnv1a32('\u00e9'));
    assert.notEqual(fnv1a32('é'), fnv1a32('e\u0301'));
  });

  it('is stable: pinned names land in the shards the README lets operators predict', () => {
    // If one of these changes, every deployment's repositories move to other shards.
    assert.equal(fnv1a32('team/app'), 226171688);
    assert.equal(shardOf('team/app', 3), 2);
    assert.equal(shardOf('library/nginx', 3), 0);
    assert.equal(shardOf('dev/api', 3), 1);
    assert.equal(shardOf('app', 3), 0);
    assert.equal(shardOf('team/app', 1), 0);
  });

  it('puts every name in exactly one shard (disjoint and covering)', () => {
    const names = catalog(2_000);
    for (const count of [1, 2, 3, 7]) {
      const shards: Shard[] = Array.from({ length: count }, (_, index) => ({ index, count }));
      for (const name of names) {
        const owners = shards.filter((shard) => inShard(name, shard));
        assert.equal(owners.length, 1, `${name} among ${String(count)} shards`);
      }
    }
  });

  it('is balanced within a few percent on 10,000 names', () => {
    const names = catalog(10_000);
    for (const count of [2, 3, 4]) {
      const sizes = new Array<number>(count).fill(0);
      for (const name of names)
        sizes[shardOf(name, count)] = (sizes[shardOf(name, count)] ?? 0) + 1;
      const fair = names.length / count;
      for (const size of sizes) {
        assert.ok(
          Math.abs(size - fair) / fair < 0.04,
          `${String(count)} shards: ${sizes.join(', ')} (fair ${String(fair)})`,
        );
      }
    }
  });

  it('reads I/N and refuses everything else with a reason', () => {
    assert.deepEqual(parseShard('0/3'), { index: 0, count: 3 });
    assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
    assert.deepEqual(parseShard('0/1'), { index: 0, count: 1 });
    assert.equal(shardLabel({ index: 2, count: 3 }), '2/3');
    const problems: [string, RegExp][] = [
      ['3/3', /I must be less than N \(the 3 shards are numbered 0 to 2\)/],
      ['0/0', /N, the number of shards, must be at least 1/],
      ['-1/2', /is not I\/N/],
      ['a/b', /is not I\/N/],
      ['1/2/3', /is not I\/N/],
      ['01/3', /is not I\/N/],
      ['1', /is not I\/N/],
      ['', /is not I\/N/],
      ['1/1001', /at most 1000 shards/],
    ];
    for (const [text, problem] of problems) {
      const parsed = parseShard(text);
      assert.ok('problem' in parsed, `${text} must be refused`);
      assert.match(parsed.problem, problem, text);
    }
  });
});
