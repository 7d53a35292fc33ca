import { registryAdapter } from '../support/registry-adapter.js';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { RegistryError } from '../../src/application/ports/registry.port.js';
import {
  HttpDockerRegistry,
  type HttpDockerRegistryOptions,
} from '../../src/adapters/registry/http-docker-registry.adapter.js';
import { RecordingLogger } from '../fakes/recording-logger.js';
import {
  footprintOf,
  pushImage,
  pushIndex,
  tagExisting,
  type PushedFootprint,
} from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';

// HttpDockerRegistry against the real docker-registry (distribution 2.8.2), anonymous access.
// Auth flavours, TLS and proxies: registry-auth.int.test.ts, registry-transport.int.test.ts.

const OLD = new Date('2023-01-15T10:00:00Z');
const MID = new Date('2023-09-01T08:30:00Z');
const NEW = new Date('2024-06-01T12:00:00Z');

function adapterFor(
  registry: RunningRegistry,
  options: HttpDockerRegistryOptions = {},
): { adapter: HttpDockerRegistry; logger: RecordingLogger } {
  const logger = new RecordingLogger();
  const adapter = registryAdapter(
    {
      url: registry.url,
      timeoutMs: 10_000,
      maxConcurrentRequests: 8,
      insecure: false,
      httpLogs: true,
    },
    logger,
    options,
  );
  return { adapter, logger };
}

function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

describe('HttpDockerRegistry against docker-registry (no auth)', () => {
  let registry: RunningRegistry;
  let adapter: HttpDockerRegistry;
  const opened: HttpDockerRegistry[] = [];
  const pushed: Record<string, { digest: string; children?: string[] }> = {};
  /** What each pushed manifest takes in storage, as the registry serves it. */
  const footprints: Record<string, PushedFootprint> = {};

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    pushed['docker'] = await pushImage(registry, 'team/app', ['1.0', 'stable'], { created: OLD });
    pushed['oci'] = await pushImage(registry, 'team/app', ['2.0'], { created: NEW, format: 'oci' });
    pushed['naive'] = await pushImage(registry, 'team/app', ['naive'], {
      created: '2023-03-04T05:06:07', // no zone: UTC
    });
    pushed['undated'] = await pushImage(registry, 'team/app', ['undated'], { created: null });
    pushed['garbage'] = await pushImage(registry, 'team/app', ['garbage'], {
      created: 'last tuesday',
    });
    pushed['index'] = await pushIndex(
      registry,
      'team/app',
      ['multi'],
      [
        { created: OLD, arch: 'amd64' },
        { created: MID, arch: 'arm64' },
      ],
    );
    pushed['list'] = await pushIndex(
      registry,
      'team/app',
      ['docker-list'],
      [
        { created: MID, arch: 'amd64' },
        { created: OLD, arch: 'arm64' },
      ],
      { format: 'docker' },
    );
    for (const [key, { digest }] of Object.entries(pushed)) {
      footprints[key] = await footprintOf(registry, 'team/app', digest);
    }
  });
  after(async () => {
    for (const previous of opened.splice(0)) previous.close();
    await registry.stop();
  });
  beforeEach(async () => {
    for (const previous of opened.splice(0)) previous.close();
    adapter = adapterFor(registry).adapter;
    opened.push(adapter);
    await registry.resetAccessLog();
  });

  it('lists the tags of a namespaced repository', async () => {
    assert.deepEqual(sorted(await adapter.listTags('team/app', 'read')), [
      '1.0',
      '2.0',
      'docker-list',
      'garbage',
      'multi',
      'naive',
      'stable',
      'undated',
    ]);
    const log = await registry.accessLog();
    assert.deepEqual(
      log.map((entry) => `${entry.method} ${entry.path} ${entry.status}`),
      ['GET /v2/ 200', 'GET /v2/team/app/tags/list?n=1000 200'],
    );
  });

  it('reports an unknown repository as not-found', async () => {
    await assert.rejects(
      adapter.listTags('team/nothing', 'read'),
      (error: unknown) => error instanceof RegistryError && error.kind === 'not-found',
    );
  });

  it('inspects a docker image: one manifest GET by tag, one config blob GET', async () => {
    assert.deepEqual(await adapter.inspectTag('team/app', '1.0', 'read'), {
      status: 'resolved',
      digest: pushed['docker']?.digest,
      kind: 'image',
      created: OLD,
      children: [],
      footprint: footprints['docker'],
    });
    const log = await registry.accessLog();
    assert.deepEqual(
      log.map((entry) => `${entry.method} ${entry.path.replace(/sha256:\w+/, 'sha256:…')}`),
      ['GET /v2/', 'GET /v2/team/app/manifests/1.0', 'GET /v2/team/app/blobs/sha256:…'],
    );
  });

  it('inspects an OCI image', async () => {
    assert.deepEqual(await adapter.inspectTag('team/app', '2.0', 'read'), {
      status: 'resolved',
      digest: pushed['oci']?.digest,
      kind: 'image',
      created: NEW,
      children: [],
      footprint: footprints['oci'],
    });
  });

  it('dates an OCI index and a docker manifest list by their newest platform image', async () => {
    assert.deepEqual(await adapter.inspectTag('team/app', 'multi', 'read'), {
      status: 'resolved',
      digest: pushed['index']?.digest,
      kind: 'index',
      created: MID,
      children: pushed['index']?.children,
      footprint: footprints['index'],
    });
    // The list's own digest, not its amd64 child's (the Accept trap).
    assert.deepEqual(await adapter.inspectTag('team/app', 'docker-list', 'read'), {
      status: 'resolved',
      digest: pushed['list']?.digest,
      kind: 'index',
      created: MID,
      children: pushed['list']?.children,
      footprint: footprints['list'],
    });
  });

  it('reads a date without a zone as UTC', async () => {
    const resolution = await adapter.inspectTag('team/app', 'naive', 'read');
    assert.ok(resolution.status === 'resolved');
    assert.equal(resolution.created.toISOString(), '2023-03-04T05:06:07.000Z');
  });

  it('calls an image without created, or with garbage, undated (digest known)', async () => {
    const undated = await adapter.inspectTag('team/app', 'undated', 'read');
    assert.ok(undated.status === 'undated');
    assert.equal(undated.digest, pushed['undated']?.digest);
    assert.match(undated.problem, /no "created"/);
    const garbage = await adapter.inspectTag('team/app', 'garbage', 'read');
    assert.ok(garbage.status === 'undated');
    assert.match(garbage.problem, /last tuesday/);
  });

  it('returns failed for a tag that does not exist', async () => {
    const resolution = await adapter.inspectTag('team/app', 'nope', 'read');
    assert.ok(resolution.status === 'failed');
    assert.match(resolution.problem, /not found/);
  });

  it('digestOf answers with one HEAD and the same digest inspectTag found', async () => {
    for (const tag of ['1.0', '2.0', 'multi', 'docker-list']) {
      const inspected = await adapter.inspectTag('team/app', tag, 'read');
      assert.ok(inspected.status === 'resolved');
      const pointer = await adapter.digestOf('team/app', tag, 'read');
      assert.equal(pointer.digest, inspected.digest, tag);
      assert.deepEqual(pointer.children, inspected.children ?? [], tag);
      // The sizes too, platforms included: the cache kept what inspectTag read.
      assert.deepEqual(pointer.footprint, inspected.footprint, tag);
    }
    assert.equal(adapter.stats.count('manifest-head'), 4);
    await assert.rejects(
      adapter.digestOf('team/app', 'nope', 'read'),
      (error: unknown) => error instanceof RegistryError && error.kind === 'not-found',
    );
  });

  it('digestOf of a tag not seen before: one GET, the sizes of the manifest it read', async () => {
    assert.deepEqual(await adapter.digestOf('team/app', '1.0', 'read'), {
      digest: pushed['docker']?.digest,
      children: [],
      footprint: footprints['docker'],
    });
    // An index's platforms are not read for that (no extra request): their sizes stay unknown.
    const { platforms, ...index } = footprints['index'] ?? { digest: '' };
    assert.equal(platforms?.length, 2);
    assert.deepEqual((await adapter.digestOf('team/app', 'multi', 'read')).footprint, index);
    assert.equal(adapter.stats.count('manifest-get'), 2);
    assert.equal(adapter.stats.total, 3);
  });

  it('gives tags that share a digest the same digest, fetching their config once', async () => {
    const [first, second] = await Promise.all([
      adapter.inspectTag('team/app', '1.0', 'read'),
      adapter.inspectTag('team/app', 'stable', 'read'),
    ]);
    assert.deepEqual(first, second);
    const third = await adapter.inspectTag('team/app', 'stable', 'read');
    assert.deepEqual(third, first);
    // A GET per new tag; the tag seen before is confirmed with one HEAD (tags are mutable).
    assert.equal(adapter.stats.count('manifest-get'), 2);
    assert.equal(adapter.stats.count('manifest-head'), 1);
    assert.equal(adapter.stats.count('blob'), 1);
    const blobGets = (await registry.accessLog()).filter((entry) => entry.path.includes('/blobs/'));
    assert.equal(blobGets.length, 1);
  });

  it('fetches each platform image and config once across indexes that share them', async () => {
    await tagExisting(registry, 'team/app', 'multi-again', pushed['index']?.digest ?? '');
    await registry.resetAccessLog();
    await adapter.inspectTag('team/app', 'multi', 'read');
    await adapter.inspectTag('team/app', 'multi-again', 'read');
    assert.deepEqual(adapter.stats.snapshot(), {
      probe: 1,
      token: 0,
      catalog: 0,
      tags: 0,
      'manifest-head': 0,
      'manifest-get': 4, // two tags + two platform images
      blob: 2,
      delete: 0,
      'blob-head': 0,
      'manifest-put': 0,
      referrers: 0,
      'blob-upload': 0,
    });
  });

  it('counts every request by kind and logs one line per request with --http-logs', async () => {
    const { adapter: counted, logger } = adapterFor(registry);
    try {
      await counted.listTags('team/app', 'read');
      await counted.inspectTag('team/app', '2.0', 'read');
      await counted.digestOf('team/app', '2.0', 'read');
      assert.equal(counted.stats.total, 5);
      assert.equal(logger.entries.length, 5);
      for (const entry of logger.entries) {
        assert.equal(entry.message, 'HTTP request');
        assert.match(String(entry.fields['method']), /^(GET|HEAD)$/);
        assert.match(String(entry.fields['url']), /^http:\/\/127\.0\.0\.1:\d+\/v2\//);
        assert.match(String(entry.fields['status']), /^\d{3}$/);
        assert.equal(typeof entry.fields['durationMs'], 'number');
        assert.equal(entry.fields['retry'], 0);
      }
    } finally {
      counted.close();
    }
  });
});

describe('HttpDockerRegistry catalog pagination', () => {
  let registry: RunningRegistry;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    for (const name of ['alpha', 'team/app', 'team/web', 'tools/ci', 'zulu']) {
      await pushImage(registry, name, ['1'], { created: OLD });
    }
    await registry.resetAccessLog();
  });
  after(async () => {
    await registry.stop();
  });

  it('follows the Link header page by page', async () => {
    const { adapter } = adapterFor(registry, { pageSize: 2 });
    try {
      assert.deepEqual(sorted(await adapter.listRepositories()), [
        'alpha',
        'team/app',
        'team/web',
        'tools/ci',
        'zulu',
      ]);
      const catalog = (await registry.accessLog()).filter((entry) =>
        entry.path.startsWith('/v2/_catalog'),
      );
      assert.equal(catalog.length, 3);
      assert.equal(catalog[0]?.path, '/v2/_catalog?n=2');
      assert.equal(catalog[1]?.path, '/v2/_catalog?last=team%2Fapp&n=2');
      assert.equal(adapter.stats.count('catalog'), 3);
    } finally {
      adapter.close();
    }
  });

  it('asks for 1000 per page by default', async () => {
    await registry.resetAccessLog();
    const { adapter } = adapterFor(registry);
    try {
      assert.equal((await adapter.listRepositories()).length, 5);
      const catalog = (await registry.accessLog()).filter((entry) =>
        entry.path.startsWith('/v2/_catalog'),
      );
      assert.deepEqual(
        catalog.map((entry) => entry.path),
        ['/v2/_catalog?n=1000'],
      );
    } finally {
      adapter.close();
    }
  });
});

describe('HttpDockerRegistry deletes', () => {
  it('deletes by digest (202), then reports the digest already gone (404); the tags go with it', async () => {
    const registry = await startRegistry({ auth: 'none', deleteEnabled: true });
    const { adapter } = adapterFor(registry);
    try {
      const keep = await pushImage(registry, 'team/app', ['keep'], { created: NEW });
      const old = await pushImage(registry, 'team/app', ['old', 'old-alias'], { created: OLD });
      const index = await pushIndex(
        registry,
        'team/app',
        ['multi'],
        [{ created: OLD, arch: 'amd64' }],
      );
      assert.equal(await adapter.deleteManifest('team/app', old.digest), 'deleted');
      assert.equal(await adapter.deleteManifest('team/app', old.digest), 'already-gone');
      assert.equal(await adapter.deleteManifest('team/app', index.digest), 'deleted');
      assert.deepEqual(await adapter.listTags('team/app', 'delete'), ['keep']);
      const deletes = (await registry.accessLog()).filter((entry) => entry.method === 'DELETE');
      assert.deepEqual(
        deletes.map((entry) => entry.status),
        [202, 404, 202],
      );
      assert.equal(await adapter.deleteManifest('team/app', keep.digest), 'deleted');
      // distribution 2.8.2 answers "tags": null once every tag is gone.
      assert.deepEqual(await adapter.listTags('team/app', 'delete'), []);
      assert.equal(adapter.stats.count('delete'), 4);
    } finally {
      adapter.close();
      await registry.stop();
    }
  });

  it('refuses to delete by anything but a digest', async () => {
    const registry = await startRegistry({ auth: 'none' });
    const { adapter } = adapterFor(registry);
    try {
      await assert.rejects(adapter.deleteManifest('team/app', 'latest'), /needs a digest/);
      assert.equal(adapter.stats.total, 0);
    } finally {
      adapter.close();
      await registry.stop();
    }
  });

  it('explains how to enable deletion when the registry has it disabled (405 UNSUPPORTED)', async () => {
    const registry = await startRegistry({ auth: 'none', deleteEnabled: false });
    const { adapter } = adapterFor(registry);
    try {
      const old = await pushImage(registry, 'team/app', ['old'], { created: OLD });
      await assert.rejects(adapter.deleteManifest('team/app', old.digest), (error: unknown) => {
        assert.ok(error instanceof RegistryError);
        assert.equal(error.kind, 'unsupported');
        assert.equal(error.status, 405);
        assert.match(error.message, /deletion is disabled/);
        assert.match(error.message, /storage\.delete\.enabled: true/);
        assert.match(error.message, /REGISTRY_STORAGE_DELETE_ENABLED=true/);
        assert.match(error.message, /pull-through cache/);
        return true;
      });
      assert.deepEqual(await adapter.listTags('team/app', 'read'), ['old']);
    } finally {
      adapter.close();
      await registry.stop();
    }
  });
});
