import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DeletionJournal } from '../../src/application/ports/deletion-journal.port.js';
import { Registry } from '../../src/application/ports/registry.port.js';
import { RunManualJobs } from '../../src/application/run-manual-jobs.use-case.js';
import { FileManifestCache } from '../../src/adapters/registry/cache/file-manifest-cache.adapter.js';
import { HttpDockerRegistry } from '../../src/adapters/registry/http-docker-registry.adapter.js';
import { ManifestCache } from '../../src/adapters/registry/cache/manifest-cache.js';
import { buildContainer, closeContainer } from '../../src/container.js';
import { aJob } from '../builders/jobs.js';
import { RecordingLogger } from '../fakes/recording-logger.js';
import { getManifest, listTags, pushImage, pushIndex } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { daysAgo } from '../../testkit/dates.js';

// Issue 16 on the real registry: a cold real run journals what it deletes with the bytes it
// read while inspecting (no request beyond the cold minimum), and the journal holds exactly
// the bytes the registry served, never a credential.

const REPOSITORY = 'journal/app';

describe('the deletion journal of a cold real run', () => {
  let registry: RunningRegistry;
  let stateDir: string;

  before(async () => {
    registry = await startRegistry({ auth: 'basic' });
    stateDir = mkdtempSync(join(tmpdir(), 'reg-cleaner-journal-'));
    await pushImage(registry, REPOSITORY, ['v1'], { created: daysAgo(40), format: 'docker' });
    await pushImage(registry, REPOSITORY, ['v2'], { created: daysAgo(39), format: 'oci' });
    await pushIndex(
      registry,
      REPOSITORY,
      ['v3'],
      [
        { created: daysAgo(38), arch: 'amd64' },
        { created: daysAgo(38), arch: 'arm64' },
      ],
    );
    await pushImage(registry, REPOSITORY, ['v4'], { created: daysAgo(1) });
  });
  after(async () => {
    await registry.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('costs no request beyond the cold minimum and keeps the exact bytes', async () => {
    const expected = await Promise.all(
      ['v1', 'v2', 'v3'].map((tag) => getManifest(registry, REPOSITORY, tag)),
    );
    const index = JSON.parse(expected[2]?.bytes.toString() ?? '') as {
      manifests: { digest: string }[];
    };
    const platforms = await Promise.all(
      index.manifests.map((child) => getManifest(registry, REPOSITORY, child.digest)),
    );
    await registry.resetAccessLog();

    const container = await buildContainer({
      registry: {
        url: registry.url,
        credentials: { username: registry.username ?? '', password: registry.password ?? '' },
        timeoutMs: 10_000,
        maxConcurrentRequests: 8,
        insecure: false,
        httpLogs: false,
      },
      stateDir,
      logger: new RecordingLogger(),
      reportStream: { write: () => true },
      watch: false,
    });
    const job = aJob({
      name: 'journaled',
      repositories: [REPOSITORY],
      tagPatterns: ['v'],
      saveLast: 0,
      olderThanDays: 5,
    });
    const [report] = await container.get(RunManualJobs).execute([job], { dryRun: false });
    await closeContainer(container, {});
    const adapter = container.get<Registry>(Registry);
    assert.ok(adapter instanceof HttpDockerRegistry);
    adapter.close();
    const cache = container.get<ManifestCache>(ManifestCache);
    if (cache instanceof FileManifestCache) cache.dispose();

    assert.equal(report?.success, true);
    assert.deepEqual(await listTags(registry, REPOSITORY), ['v4']);
    // Cold: a GET per tag (4) and per platform image (2), a config per image (4 + 2 - 1 index),
    // and the three DELETEs. Nothing else: the journal took the bytes read while inspecting.
    const counts = adapter.stats.snapshot();
    assert.equal(counts['manifest-get'], 4 + 2);
    assert.equal(counts.blob, 5);
    assert.equal(counts.delete, 3);
    const log = await registry.accessLog();
    assert.equal(
      log.filter((entry) => entry.method === 'GET' && entry.path.includes('/manifests/')).length,
      6,
    );

    const location = report.journal;
    assert.ok(location !== undefined);
    const text = await readFile(location, 'utf8');
    assert.ok(!text.includes(registry.password ?? 'no password'), 'no credential in the journal');
    const entries = await container.get<DeletionJournal>(DeletionJournal).read(location);
    const byTag = new Map(entries.flatMap((entry) => entry.tags.map((tag) => [tag, entry])));
    for (const [n, manifest] of expected.entries()) {
      const entry = byTag.get(`v${String(n + 1)}`);
      assert.ok(entry !== undefined);
      assert.equal(entry.manifest.digest, manifest.digest);
      assert.deepEqual(Buffer.from(entry.manifest.bytes), manifest.bytes);
      assert.equal(entry.manifest.mediaType, manifest.mediaType);
    }
    assert.deepEqual(
      byTag.get('v3')?.manifest.children.map((child) => [child.digest, Buffer.from(child.bytes)]),
      platforms.map((platform) => [platform.digest, platform.bytes]),
    );
  });
});
