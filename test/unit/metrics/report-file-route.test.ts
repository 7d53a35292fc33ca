import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { reportFileAt } from '../../../src/adapters/metrics/report-file-route.js';

const base = mkdtempSync(join(tmpdir(), 'reg-cleaner-route-'));
const folder = join(base, 'reports');
mkdirSync(join(folder, 'job a'), { recursive: true });
writeFileSync(join(folder, 'job a', 'latest.html'), '<p>report</p>');
writeFileSync(join(folder, 'job a', 'latest.md'), '# report');
writeFileSync(join(folder, 'job a', '.latest.html.1.tmp'), 'half written');
writeFileSync(join(folder, 'job a', 'notes.txt'), 'not a report');
writeFileSync(join(base, 'secret.json'), '{}');
symlinkSync(join(base, 'secret.json'), join(folder, 'job a', 'leak.json'));
// A link that stays inside the folder is fine.
symlinkSync(join(folder, 'job a', 'latest.md'), join(folder, 'job a', 'alias.md'));
after(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('reportFileAt', () => {
  it('finds report files by their encoded path, with their type', async () => {
    const html = await reportFileAt(folder, 'job%20a/latest.html');
    assert.equal(html?.contentType, 'text/html; charset=utf-8');
    assert.equal(html.html, true);
    assert.equal(html.size, 13);
    const md = await reportFileAt(folder, 'job%20a/alias.md');
    assert.equal(md?.contentType, 'text/plain; charset=utf-8');
    assert.equal(md.path, join(folder, 'job a', 'latest.md'));
  });

  it('refuses anything that leaves the folder or is not a report file', async () => {
    for (const path of [
      '..%2Fsecret.json',
      '%2e%2e/secret.json',
      'job%20a/../../secret.json',
      'job%20a/%2E%2E/%2E%2E/secret.json',
      encodeURIComponent(join(base, 'secret.json')),
      '/secret.json',
      'job%20a/leak.json',
      'job%20a/.latest.html.1.tmp',
      'job%20a/notes.txt',
      'job%20a/missing.html',
      'job%20a',
      'job%20a/',
      'job%20a%5C..%5C..%5Csecret.json',
      'job%20a/latest.html%00.json',
      '%E0%A4%A',
    ]) {
      assert.equal(await reportFileAt(folder, path), undefined, path);
    }
  });
});
