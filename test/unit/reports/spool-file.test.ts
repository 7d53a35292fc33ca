import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SpoolFile } from '../../../src/adapters/reports/spool-file.js';

const dir = mkdtempSync(join(tmpdir(), 'reg-cleaner-spool-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function all(spool: SpoolFile): Promise<string[]> {
  const texts: string[] = [];
  for await (const text of spool.inNameOrder()) texts.push(text);
  return texts;
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
    const texts = await all(spool);
    assert.deepEqual(
      texts.map((text) => text.slice(0, 12)),
      ['<section>Z</', '<section>xxx', '', '<section>web'],
    );
    assert.equal(texts[1]?.length, 70_000 + '<section></section>\n'.length);
    assert.equal(texts[3], '<section>web é</section>\n');
    await spool.remove();
    assert.equal(existsSync(spool.path), false);
  });

  it('waits for writes still under way before reading', async () => {
    const spool = await SpoolFile.create(join(dir, '.parts-2'));
    void spool.add('b', 'second');
    void spool.add('a', 'first');
    assert.deepEqual(await all(spool), ['first', 'second']);
    await spool.remove();
  });

  it('remove() never throws, even twice', async () => {
    const spool = await SpoolFile.create(join(dir, '.parts-3'));
    await spool.remove();
    await spool.remove();
    assert.equal(existsSync(spool.path), false);
  });
});
