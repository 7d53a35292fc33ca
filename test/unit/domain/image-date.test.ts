import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indexDate, type PlatformDate } from '../../../src/domain/image-date.js';

const platform = (name: string, date: Date | string): PlatformDate => ({
  platform: name,
  digest: `sha256:${name.replace('/', '-')}`,
  date: typeof date === 'string' ? { ok: false, problem: date } : { ok: true, date },
});

describe('indexDate: an index is as new as its newest platform image', () => {
  it('takes the newest platform, whatever the order', () => {
    const newest = new Date('2026-05-01T00:00:00Z');
    const dates = [
      platform('linux/amd64', new Date('2026-01-01T00:00:00Z')),
      platform('linux/arm64', newest),
      platform('linux/s390x', new Date('2025-12-31T00:00:00Z')),
    ];
    assert.deepEqual(indexDate(dates), { ok: true, date: newest });
    assert.deepEqual(indexDate([...dates].reverse()), { ok: true, date: newest });
  });

  it('is undated when one platform is undated, naming that platform', () => {
    const date = indexDate([
      platform('linux/amd64', new Date('2026-01-01T00:00:00Z')),
      platform('linux/arm64', 'the image config has no "created" date'),
    ]);
    assert.deepEqual(date, {
      ok: false,
      problem: 'platform linux/arm64 (sha256:linux-arm64): the image config has no "created" date',
    });
  });

  it('is undated when the index lists no platform image', () => {
    assert.deepEqual(indexDate([]), {
      ok: false,
      problem: 'the index lists no platform image (only attestations or nothing)',
    });
  });
});
