import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SpoolFile } from '../../../src/adapters/reports/spool-file.js';
import { COPY_CHUNK_BYTES } from '../../../src/adapters/reports/file-range.js';

const dir = mkdtempSync(join(tmpdir(), 'reg-cleaner-spool-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** What copyInNameOrder hands over: the text, and each piece's size. */
async function copied(spool: SpoolFile): Promise<{ text: string; pieces: number[] }> {
  const chunks: Buffer[] = [];
  await spool.copyInNameOrder(async (bytes) => {
    // Copied now: the spool fills the same buffer again once this settles.
    chunks.push(Buffer.from(bytes));
    await Promise.resolve();
  });
  return {
    text: Buffer.concat(chunks).toString('utf8'),
    pieces: chunks.map((chunk) => chunk.length),
  };
}

describe('SpoolFile', () => {
  it('gives back parts added at once, in name order (code points), byte for byte', async () => {
    const spool = await SpoolFile.create(join(dir, '.parts-1'));
    assert.equal(statSync(spool.path).mode & 0o777, 0o600);
    // Not awaited one by one: repositories finish at the same time.
    await Promise.all([
      spool.add('team/web', '<section>web é</section>\n'),
      spool.add('Team/Z', '<section>Z</section>\n'),
      spool.add('team/api', `<section>${'x'.repeat(70_000)}</section>\n`),
      spool.add('team/app', ''),
    ]);
    const { text, pieces } = await copied(spool);
    const api = `<section>${'x'.repeat(70_000)}</section>\n`;
    assert.equal(text, `<section>Z</section>\n${api}<section>web é</section>\n`);
    // Never more than one buffer's worth at once: the 70 KB part comes in two pieces.
    assert.deepEqual(pieces, [21, COPY_CHUNK_BYTES, api.length - COPY_CHUNK_BYTES, 26]);
    await spool.remove();
    assert.equal(existsSync(spool.path), false);
  });

  it('waits for writes still under way before reading', async () => {
    const spool = await SpoolFile.create(join(dir, '.parts-2'));
    void spool.add('b', 'second');
    void spool.add('a', 'first');
    assert.equal((await copied(spool)).text, 'firstsecond');
    await spool.remove();
  });

  it('remove() never throws, even twice', async () => {
    const spool = await SpoolFile.create(join(dir, '.parts-3'));
    await spool.remove();
    await spool.remove();
    assert.equal(existsSync(spool.path), false);
  });
});
