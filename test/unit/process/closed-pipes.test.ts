import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { ignoreClosedOutput } from '../../../src/adapters/process/closed-pipes.js';

function failure(code: string): Error {
  return Object.assign(new Error(`write ${code}`), { code });
}

describe('ignoreClosedOutput', () => {
  it('swallows EPIPE on every stream: an unhandled error event would otherwise throw', () => {
    const stdout = new EventEmitter();
    const stderr = new EventEmitter();
    const others: Error[] = [];
    ignoreClosedOutput([stdout, stderr], (error) => others.push(error));
    assert.doesNotThrow(() => stdout.emit('error', failure('EPIPE')));
    assert.doesNotThrow(() => stderr.emit('error', failure('EPIPE')));
    assert.doesNotThrow(() => stdout.emit('error', failure('ERR_STREAM_DESTROYED')));
    assert.deepEqual(others, []);
    // Without the module, the same event is fatal: this is what it protects against.
    assert.throws(() => new EventEmitter().emit('error', failure('EPIPE')), /EPIPE/);
  });

  it('reports any other write error once per stream, without throwing', () => {
    const stdout = new EventEmitter();
    const others: Error[] = [];
    ignoreClosedOutput([stdout], (error) => others.push(error));
    stdout.emit('error', failure('ENOSPC'));
    stdout.emit('error', failure('ENOSPC'));
    assert.deepEqual(
      others.map((error) => error.message),
      ['write ENOSPC'],
    );
  });
});
