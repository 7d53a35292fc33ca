import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  writeAtomically,
  writeFileAtomically,
} from '../../../src/adapters/shared/files/atomic-write.js';
import {
  describeFsError,
  fsErrorCode,
  isMissing,
} from '../../../src/adapters/shared/files/fs-error.js';

describe('writeAtomically: the one atomic writer', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'atomic-write-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces the file with everything written in pieces, readable by its owner only', async () => {
    const file = join(dir, 'pieces.txt');
    await writeFile(file, 'old');
    await writeAtomically(file, async (write) => {
      await write('one\n');
      await write('two\n');
    });
    assert.equal(await readFile(file, 'utf8'), 'one\ntwo\n');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ['pieces.txt']);
  });

  it('leaves the old content and no temp file when filling fails half-way', async () => {
    const file = join(dir, 'failing.txt');
    await writeFileAtomically(file, 'old');
    await assert.rejects(
      writeAtomically(file, async (write) => {
        await write('half');
        throw new Error('disk full');
      }),
      /disk full/,
    );
    assert.equal(await readFile(file, 'utf8'), 'old');
    assert.deepEqual((await readdir(dir)).sort(), ['failing.txt', 'pieces.txt']);
  });
});

describe('fs-error: the one reading of file system errors', () => {
  it('reads the code of an fs error, and nothing from other values', async () => {
    const missing = await readFile(join(tmpdir(), 'no-such-file-here-at-all')).catch(
      (error: unknown) => error,
    );
    assert.equal(fsErrorCode(missing), 'ENOENT');
    assert.equal(isMissing(missing), true);
    assert.equal(describeFsError(missing), 'no such file');
    assert.equal(fsErrorCode(new Error('plain')), undefined);
    assert.equal(isMissing('ENOENT'), false);
    assert.equal(describeFsError(new Error('plain')), 'plain');
  });
});
