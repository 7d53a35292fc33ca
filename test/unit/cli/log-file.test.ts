import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LogFile, localTimeWithOffset } from '../../../src/adapters/logging/log-file.js';

describe('LogFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reg-cleaner-log-file-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends to the existing file, owner-only, and rolls it to .1 .. .N once it reached the limit', () => {
    const path = join(dir, 'cleaner.log');
    writeFileSync(path, 'earlier run\n', { mode: 0o600 });
    const file = new LogFile(path, 30, 2);
    file.write('line one, 20 bytes\n'); // 12 + 19 = 31: over the limit after this line
    file.write('line two\n'); // rolls first: cleaner.log.1 holds the two lines above
    file.write('line three is longer than thirty bytes\n');
    file.write('line four\n'); // rolls again: .1 -> .2
    file.write('line five over 30 bytes, to roll\n');
    file.write('line six\n'); // third roll: .2 (the first file) is dropped
    file.close();
    assert.deepEqual(readdirSync(dir).sort(), ['cleaner.log', 'cleaner.log.1', 'cleaner.log.2']);
    assert.equal(readFileSync(path, 'utf8'), 'line six\n');
    assert.equal(
      readFileSync(`${path}.1`, 'utf8'),
      'line four\nline five over 30 bytes, to roll\n',
    );
    assert.equal(
      readFileSync(`${path}.2`, 'utf8'),
      'line two\nline three is longer than thirty bytes\n',
    );
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('writes the lines of one stretch of code when it ends, in order, rolling between them', async () => {
    const path = join(dir, 'stretch.log');
    const file = new LogFile(path, 12, 1);
    file.write('first 10b\n');
    file.write('second 11\n'); // 20 bytes: the next line rolls first
    file.write('third\n');
    assert.equal(existsSync(`${path}.1`), false, 'nothing written while the stretch runs');
    assert.equal(readFileSync(path, 'utf8'), '');
    await Promise.resolve(); // the stretch is over: the microtask writes
    assert.equal(readFileSync(`${path}.1`, 'utf8'), 'first 10b\nsecond 11\n');
    assert.equal(readFileSync(path, 'utf8'), 'third\n');
    file.write('fourth\n');
    file.flush(); // as the process' exit does
    assert.equal(readFileSync(path, 'utf8'), 'third\nfourth\n');
    file.close();
  });

  it('counts bytes, not characters, toward the limit', () => {
    const path = join(dir, 'utf8.log');
    const file = new LogFile(path, 8, 1);
    file.write('ééé\n'); // 7 bytes: below
    file.write('é\n'); // 10 bytes now
    file.write('x\n'); // rolls
    file.close();
    assert.equal(readFileSync(`${path}.1`, 'utf8'), 'ééé\né\n');
    assert.equal(readFileSync(path, 'utf8'), 'x\n');
  });
});

describe('localTimeWithOffset', () => {
  it("writes log4js' ISO8601_WITH_TZ_OFFSET: local time, milliseconds and the offset", () => {
    for (const iso of [
      '2026-12-07T05:13:08.042Z',
      '2026-03-29T00:59:59.999Z',
      '2026-01-01T00:00:00.000Z',
    ]) {
      const date = new Date(iso);
      const text = localTimeWithOffset(date);
      assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/);
      // The text names the same instant.
      assert.equal(new Date(text).getTime(), date.getTime(), text);
    }
  });

  it('matches the seconds and milliseconds of successive dates in one minute', () => {
    const base = Date.parse('2026-12-07T05:13:00.000Z');
    assert.match(localTimeWithOffset(new Date(base + 7)), /:00\.007(Z|[+-]\d{2}:\d{2})$/);
    assert.match(localTimeWithOffset(new Date(base + 59_999)), /:59\.999(Z|[+-]\d{2}:\d{2})$/);
    assert.match(localTimeWithOffset(new Date(base + 60_000)), /:00\.000(Z|[+-]\d{2}:\d{2})$/);
  });
});
