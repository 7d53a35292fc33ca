import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedSerial } from '../../../src/application/keyed-serial.js';
import { settle } from '../../fakes/settle.js';

/** A piece of work that runs until released, recording when it starts and ends. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const work = async (): Promise<string> => {
    log.push(`start ${name}`);
    await released;
    log.push(`end ${name}`);
    return name;
  };
  return { work, release };
}

describe('KeyedSerial', () => {
  it('runs work under one key one after another, in order, and other keys beside it', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const a1 = gate(log, 'a1');
    const a2 = gate(log, 'a2');
    const b1 = gate(log, 'b1');
    const results = [serial.run('a', a1.work), serial.run('a', a2.work), serial.run('b', b1.work)];
    await settle();
    assert.deepEqual(log, ['start a1', 'start b1'], 'a2 waits for a1; b1 does not');
    a1.release();
    await settle(() => log.includes('start a2'));
    b1.release();
    a2.release();
    assert.deepEqual(await Promise.all(results), ['a1', 'a2', 'b1']);
    assert.ok(log.indexOf('end a1') < log.indexOf('start a2'));
    await settle(() => serial.busyKeys === 0);
  });

  it('a failure is the caller of that work; the next work under the key still runs', async () => {
    const serial = new KeyedSerial();
    const failed = serial.run('k', () => Promise.reject(new Error('boom')));
    const next = serial.run('k', () => Promise.resolve('next'));
    await assert.rejects(failed, /boom/);
    assert.equal(await next, 'next');
  });

  it('runAll holds every key: callers needing overlapping keys, in any order, finish', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const both = gate(log, 'ab');
    const results = [
      serial.runAll(['b', 'a'], both.work),
      serial.runAll(['a', 'b'], () => Promise.resolve('ba')),
      serial.run('b', () => Promise.resolve('b')),
      serial.run('c', () => Promise.resolve('c')),
    ];
    await settle();
    assert.deepEqual(log, ['start ab']);
    assert.equal(await results[3], 'c', 'a key nobody holds is free');
    both.release();
    assert.deepEqual(await Promise.all(results), ['ab', 'ba', 'b', 'c']);
  });
});
