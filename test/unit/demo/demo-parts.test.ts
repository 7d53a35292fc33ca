import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '../../../src/adapters/config/index.js';
import {
  DEMO_IMAGES,
  DEMO_JOB_NAMES,
  DEMO_JOBS_YAML,
  DEMO_REPOSITORIES,
} from '../../../src/adapters/demo/demo-images.js';
import { buildImage } from '../../../src/adapters/demo/image-push/synthetic-image.js';
import {
  RegistryBinaryMissing,
  requireRegistryBinary,
} from '../../../src/adapters/demo/registry-binary.js';
import { storageBytes } from '../../../src/adapters/demo/storage-size.js';
import { formatBytes } from '../../../src/adapters/shared/text/numbers.js';
import { tempConfigDir } from '../config/config-test-support.js';

describe('the demo set', () => {
  it('its manual.yaml is a valid config with the jobs the demo runs one by one', () => {
    const folder = tempConfigDir({
      'config.yaml': 'registry_url: http://127.0.0.1:5000\n',
      'manual.yaml': DEMO_JOBS_YAML,
    });
    try {
      const config = loadConfig(folder.dir, {}, { watch: false, manual: true });
      assert.deepEqual(
        config.manualJobs.map((job) => job.name),
        DEMO_JOB_NAMES,
      );
    } finally {
      folder.remove();
    }
  });

  it('has what the issue asks for: dev, feature and release tags, old and recent, multi-arch, latest sharing a digest', () => {
    const tags = DEMO_IMAGES.flatMap((image) => image.tags);
    assert.ok(tags.some((tag) => tag.startsWith('dev-')));
    assert.ok(tags.some((tag) => tag.startsWith('feature-')));
    assert.ok(tags.some((tag) => /^\d+\.\d+\.\d+$/.test(tag)));
    assert.ok(DEMO_IMAGES.some((image) => image.daysAgo > 300));
    assert.ok(DEMO_IMAGES.some((image) => image.daysAgo < 1));
    assert.ok(DEMO_IMAGES.some((image) => (image.platforms?.length ?? 0) > 1));
    assert.ok(DEMO_IMAGES.some((image) => image.tags.length > 1 && image.tags.includes('latest')));
    assert.deepEqual(DEMO_REPOSITORIES, ['team/web', 'team/api', 'team/worker']);
  });
});

describe('synthetic images', () => {
  const spec = { format: 'docker' as const, created: new Date(0), seed: 's' };

  it('are unchanged without layerBytes (the tests depend on their digests being stable)', () => {
    assert.equal(buildImage(spec).manifest.digest, buildImage(spec).manifest.digest);
    assert.ok(buildImage(spec).layer.bytes.length < 1024);
  });

  it('layerBytes adds that much incompressible, seed-determined data', () => {
    const big = buildImage({ ...spec, layerBytes: 100_000 });
    assert.ok(big.layer.bytes.length > 100_000, String(big.layer.bytes.length));
    assert.ok(gzipSync(big.layer.bytes).length > 100_000, 'gzip cannot shrink it');
    assert.equal(buildImage({ ...spec, layerBytes: 100_000 }).layer.digest, big.layer.digest);
    assert.notEqual(
      buildImage({ ...spec, seed: 't', layerBytes: 100_000 }).layer.digest,
      big.layer.digest,
    );
  });
});

describe('requireRegistryBinary', () => {
  it('finds the binary on PATH, or by path', () => {
    const folder = tempConfigDir({ 'bin/docker-registry': '#!/bin/sh\n', 'bin/not-exec': 'x' });
    try {
      chmodSync(`${folder.dir}/bin/docker-registry`, 0o755);
      const PATH = `/nonexistent:${folder.dir}/bin`;
      assert.doesNotThrow(() => {
        requireRegistryBinary('docker-registry', { PATH }, false);
      });
      assert.doesNotThrow(() => {
        requireRegistryBinary(`${folder.dir}/bin/docker-registry`, {}, true);
      });
      assert.throws(() => {
        requireRegistryBinary('not-exec', { PATH }, false);
      }, RegistryBinaryMissing);
    } finally {
      folder.remove();
    }
  });

  it('says in one line how to install it, or that the override is wrong', () => {
    assert.throws(
      () => {
        requireRegistryBinary('docker-registry', { PATH: '/nonexistent' }, false);
      },
      (error: unknown) =>
        error instanceof RegistryBinaryMissing &&
        !error.message.includes('\n') &&
        error.message.includes('sudo apt-get install -y docker-registry'),
    );
    assert.throws(() => {
      requireRegistryBinary('/opt/registry', {}, true);
    }, /REG_CLEANER_REGISTRY_BIN=\/opt\/registry is not an executable file/);
  });
});

describe('storage size', () => {
  it('sums the files under a folder, and 0 for none', async () => {
    const folder = tempConfigDir({ 'a.bin': 'x'.repeat(1000), 'b/c.bin': 'y'.repeat(234) });
    try {
      mkdirSync(`${folder.dir}/empty`);
      writeFileSync(`${folder.dir}/b/d.bin`, '');
      assert.equal(await storageBytes(folder.dir), 1234);
      assert.equal(await storageBytes(`${folder.dir}/missing`), 0);
    } finally {
      folder.remove();
    }
  });

  it('formats decimal units', () => {
    assert.equal(formatBytes(12), '12 B');
    assert.equal(formatBytes(1234), '1.2 kB');
    assert.equal(formatBytes(2_900_000), '2.9 MB');
    assert.equal(formatBytes(3_210_000_000), '3.2 GB');
  });
});
