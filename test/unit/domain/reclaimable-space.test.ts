import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  reclaimableBytesOf,
  summarise,
  type RepositoryReport,
} from '../../../src/domain/job-report.js';
import { reclaimableBytes } from '../../../src/domain/reclaimable-space.js';
import type { ManifestFootprint } from '../../../src/domain/tag.js';
import { aDecision, fakeDigest } from '../../builders/index.js';

const blob = (label: string, size: number): { digest: string; size: number } => ({
  digest: fakeDigest(`blob:${label}`),
  size,
});

function image(
  label: string,
  bytes: number,
  ...blobs: { digest: string; size: number }[]
): ManifestFootprint {
  return { digest: fakeDigest(`manifest:${label}`), bytes, blobs };
}

function index(label: string, bytes: number, platforms?: ManifestFootprint[]): ManifestFootprint {
  return {
    digest: fakeDigest(`manifest:${label}`),
    bytes,
    blobs: [],
    ...(platforms === undefined ? {} : { platforms }),
  };
}

const BASE = blob('base layer', 1_000_000);

describe('reclaimableBytes: what the garbage collector can free', () => {
  it('counts a removed image: its manifest, config and layers', () => {
    const removed = image('a', 500, blob('config a', 300), blob('layer a', 7_000));
    assert.equal(reclaimableBytes([removed], []), 500 + 300 + 7_000);
  });

  it('leaves out blobs a surviving manifest references (a shared base layer)', () => {
    const removed = image('a', 500, blob('config a', 300), BASE, blob('layer a', 7_000));
    const survivor = image('b', 520, blob('config b', 310), BASE);
    assert.equal(reclaimableBytes([removed], [survivor]), 500 + 300 + 7_000);
  });

  it('counts a blob shared by two removed manifests once', () => {
    const one = image('a', 500, blob('config a', 300), BASE);
    const two = image('b', 600, blob('config b', 200), BASE);
    assert.equal(reclaimableBytes([one, two], []), 500 + 300 + 600 + 200 + 1_000_000);
  });

  it('counts a removed manifest once even if listed twice (two tags on one digest)', () => {
    const one = image('a', 500, blob('config a', 300));
    assert.equal(reclaimableBytes([one, one], []), 800);
  });

  it('counts an index with its platform manifests and their blobs', () => {
    const amd = image('amd64', 400, blob('config amd', 100), blob('layer amd', 5_000));
    const arm = image('arm64', 410, blob('config arm', 110), blob('layer arm', 6_000));
    const removed = index('multi', 900, [amd, arm]);
    assert.equal(reclaimableBytes([removed], []), 900 + 400 + 100 + 5_000 + 410 + 110 + 6_000);
  });

  it('keeps a platform manifest that a surviving tag points at directly', () => {
    const amd = image('amd64', 400, blob('config amd', 100), blob('layer amd', 5_000));
    const arm = image('arm64', 410, blob('config arm', 110), blob('layer arm', 6_000));
    const removed = index('multi', 900, [amd, arm]);
    assert.equal(reclaimableBytes([removed], [arm]), 900 + 400 + 100 + 5_000);
  });

  it('protects the platforms and blobs of a surviving index', () => {
    const shared = image('amd64', 400, blob('config amd', 100), BASE);
    const removed = image('old', 450, blob('config old', 120), BASE);
    const survivor = index('multi', 900, [shared]);
    assert.equal(reclaimableBytes([removed], [survivor]), 450 + 120);
  });

  it('an index whose platforms are unknown counts its own bytes only', () => {
    assert.equal(reclaimableBytes([index('multi', 900)], []), 900);
  });

  it('nothing removed frees nothing', () => {
    assert.equal(reclaimableBytes([], [image('a', 500, BASE)]), 0);
  });

  it('a size that is not a whole number of bytes counts as nothing', () => {
    const odd = image('a', -1, { digest: fakeDigest('x'), size: Number.NaN }, blob('ok', 10));
    assert.equal(reclaimableBytes([odd], []), 10);
  });
});

describe('reclaimableBytesOf: one repository report', () => {
  const old = image('old', 500, blob('config old', 300), BASE, blob('layer old', 7_000));
  const kept = image('kept', 520, blob('config kept', 310), BASE);
  const latest = image('latest', 530, blob('config latest', 320), blob('layer old', 7_000));
  const report = (
    status: 'deleted' | 'skipped' | 'failed',
    unmatched: RepositoryReport['unmatched'] = [],
  ): RepositoryReport => ({
    repository: 'team/app',
    decisions: [
      aDecision('v1', 'delete', { digest: old.digest, footprint: old }),
      aDecision('v2', 'keep', { digest: kept.digest, footprint: kept }),
    ],
    unmatched,
    deletions: [
      {
        repository: 'team/app',
        digest: old.digest,
        tags: ['v1'],
        outcome:
          status === 'skipped'
            ? { status, why: 'dry run' }
            : status === 'failed'
              ? { status, problem: 'boom' }
              : { status },
      },
    ],
    errors: [],
    warnings: [],
  });

  it('counts a deleted digest against the kept tags', () => {
    assert.equal(reclaimableBytesOf(report('deleted'), false), 500 + 300 + 7_000);
  });

  it('a dry run counts what it would delete; a real run that skipped counts nothing', () => {
    assert.equal(reclaimableBytesOf(report('skipped'), true), 500 + 300 + 7_000);
    assert.equal(reclaimableBytesOf(report('skipped'), false), 0);
  });

  it('a failed deletion frees nothing', () => {
    assert.equal(reclaimableBytesOf(report('failed'), false), 0);
  });

  it('unmatched tags that survive protect their blobs too', () => {
    const withLatest = report('deleted', [
      { repository: 'team/app', tag: 'latest', digest: latest.digest, footprint: latest },
    ]);
    assert.equal(reclaimableBytesOf(withLatest, false), 500 + 300);
  });

  it('the summary and its totals carry it', () => {
    assert.equal(summarise(report('deleted'), false).reclaimableBytes, 7_800);
  });
});
