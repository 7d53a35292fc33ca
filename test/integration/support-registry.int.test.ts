import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  deleteManifest,
  getManifest,
  listTags,
  manifestExists,
  pushImage,
  pushIndex,
  tagExisting,
} from '../../testkit/push-image.js';
import { clientFor } from '../../testkit/registry-client.js';
import {
  startRegistry,
  type RegistryAuthFlavour,
  type RunningRegistry,
} from '../../testkit/registry-server.js';
import { seedStorage } from '../../testkit/fs-seed.js';
import { seedRegistry } from '../../testkit/seed.js';

const OLD = new Date('2023-01-15T10:00:00Z');
const NEW = new Date('2024-06-01T12:00:00Z');

function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

for (const flavour of [
  'none',
  'basic',
  'token',
] as const satisfies readonly RegistryAuthFlavour[]) {
  describe(`test support against docker-registry, auth ${flavour}`, () => {
    let registry: RunningRegistry;

    before(async () => {
      registry = await startRegistry({ auth: flavour });
    });
    after(async () => {
      await registry.stop();
    });

    it('binds to 127.0.0.1 and hands out credentials only when auth is on', () => {
      assert.match(registry.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(registry.auth, flavour);
      assert.equal(
        registry.username !== undefined && registry.password !== undefined,
        flavour !== 'none',
      );
    });

    it('pushes docker and OCI images and an index into a namespaced repository', async () => {
      const docker = await pushImage(registry, 'team/app', ['1.0', 'latest'], { created: OLD });
      const oci = await pushImage(registry, 'team/app', ['2.0'], { created: NEW, format: 'oci' });
      const noDate = await pushImage(registry, 'team/app', ['undated'], { created: null });
      const index = await pushIndex(
        registry,
        'team/app',
        ['multi'],
        [
          { created: NEW, arch: 'amd64' },
          { created: NEW, arch: 'arm64' },
        ],
      );

      assert.deepEqual(sorted(await listTags(registry, 'team/app')), [
        '1.0',
        '2.0',
        'latest',
        'multi',
        'undated',
      ]);
      assert.equal((await getManifest(registry, 'team/app', '1.0')).digest, docker.digest);
      assert.equal(
        (await getManifest(registry, 'team/app', '2.0')).mediaType,
        'application/vnd.oci.image.manifest.v1+json',
      );
      assert.notEqual(oci.digest, noDate.digest);
      const stored = await getManifest(registry, 'team/app', 'multi');
      assert.equal(stored.digest, index.digest);
      assert.equal(stored.mediaType, 'application/vnd.oci.image.index.v1+json');
      assert.equal(index.children.length, 2);
      for (const child of index.children)
        assert.equal(await manifestExists(registry, 'team/app', child), true);
    });

    it('writes `created` into the config blob verbatim, or leaves it out', async () => {
      const dated = await pushImage(registry, 'team/config', ['dated'], {
        created: '1980-01-01T00:00:00Z',
      });
      const undated = await pushImage(registry, 'team/config', ['undated'], { created: null });
      const readConfig = async (digest: string): Promise<Record<string, unknown>> => {
        const response = await clientFor(registry).request({
          method: 'GET',
          path: `/v2/team/config/blobs/${digest}`,
          repository: 'team/config',
        });
        assert.equal(response.status, 200);
        return JSON.parse(response.body.toString()) as Record<string, unknown>;
      };
      assert.equal((await readConfig(dated.configDigest))['created'], '1980-01-01T00:00:00Z');
      assert.equal('created' in (await readConfig(undated.configDigest)), false);
    });

    it('tags an existing manifest so two tags share a digest, and DELETE by digest removes both', async () => {
      const { digest } = await pushImage(registry, 'shared', ['a'], { created: OLD });
      await tagExisting(registry, 'shared', 'b', digest);
      await pushImage(registry, 'shared', ['keep'], { created: NEW });
      assert.equal((await getManifest(registry, 'shared', 'b')).digest, digest);

      const response = await deleteManifest(registry, 'shared', digest);
      assert.equal(response.status, 202);
      assert.deepEqual(await listTags(registry, 'shared'), ['keep']);
      assert.equal(await manifestExists(registry, 'shared', digest), false);
      assert.equal(await manifestExists(registry, 'shared', 'a'), false);
    });

    it('records the requests the registry saw in its access log', async () => {
      await pushImage(registry, 'logged', ['x'], { created: NEW });
      await registry.resetAccessLog();
      await listTags(registry, 'logged');
      await manifestExists(registry, 'logged', 'x');
      await manifestExists(registry, 'logged', 'missing');
      assert.deepEqual(await registry.accessLog(), [
        { method: 'GET', path: '/v2/logged/tags/list?n=100', status: 200 },
        { method: 'HEAD', path: '/v2/logged/manifests/x', status: 200 },
        { method: 'HEAD', path: '/v2/logged/manifests/missing', status: 404 },
      ]);
    });

    it('answers 401 to a client without credentials unless auth is off', async () => {
      const anonymous = clientFor({ url: registry.url });
      const response = await anonymous.request({ method: 'GET', path: '/v2/' });
      assert.equal(response.status, flavour === 'none' ? 200 : 401);
      const challenge = response.headers['www-authenticate'] ?? '';
      if (flavour === 'basic') assert.match(challenge, /^Basic realm=/);
      if (flavour === 'token')
        assert.match(challenge, /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service=/);
    });

    if (flavour !== 'none') {
      it('rejects a wrong password', async () => {
        const intruder = {
          url: registry.url,
          username: registry.username ?? '',
          password: 'wrong',
        };
        await assert.rejects(listTags(intruder, 'team/app'), /401/);
      });
    }
  });
}

describe('test support: token server details', () => {
  let registry: RunningRegistry;
  before(async () => {
    registry = await startRegistry({ auth: 'token', token: { grantDelete: false } });
  });
  after(async () => {
    await registry.stop();
  });

  it('caches one token per scope and logs the token requests', async () => {
    await pushImage(registry, 'team/tok', ['1'], { created: OLD });
    await pushImage(registry, 'team/tok', ['2'], { created: NEW });
    await listTags(registry, 'team/tok');
    assert.deepEqual(registry.tokenRequests(), [
      { scope: 'repository:team/tok:pull,push', account: 'cleaner', status: 200, method: 'GET' },
      { scope: 'repository:team/tok:pull', account: 'cleaner', status: 200, method: 'GET' },
    ]);
  });

  it('gives a token without delete when grantDelete is false: DELETE gets 401 insufficient_scope', async () => {
    const { digest } = await pushImage(registry, 'team/tok', ['3'], { created: NEW });
    const response = await deleteManifest(registry, 'team/tok', digest);
    assert.equal(response.status, 401);
    assert.match(String(response.headers['www-authenticate']), /error="insufficient_scope"/);
    assert.equal(await manifestExists(registry, 'team/tok', digest), true);
  });

  it('refuses a wrong password at the token server', async () => {
    const before = registry.tokenRequests().length;
    await assert.rejects(
      listTags({ url: registry.url, username: 'cleaner', password: 'wrong' }, 'team/tok'),
      /401/,
    );
    assert.deepEqual(registry.tokenRequests().slice(before), [
      { scope: 'repository:team/tok:pull', account: 'cleaner', status: 401, method: 'GET' },
    ]);
  });
});

describe('test support: registry options and lifecycle', () => {
  it('answers DELETE with 405 UNSUPPORTED when deletion is disabled', async () => {
    const registry = await startRegistry({ deleteEnabled: false });
    try {
      const { digest } = await pushImage(registry, 'app', ['v1'], { created: OLD });
      const response = await deleteManifest(registry, 'app', digest);
      assert.equal(response.status, 405);
      assert.match(response.body.toString(), /"code":"UNSUPPORTED"/);
      assert.deepEqual(await listTags(registry, 'app'), ['v1']);
    } finally {
      await registry.stop();
    }
  });

  it('reproduces the Accept trap: a docker-only Accept gets a manifest list converted to its amd64 child', async () => {
    const registry = await startRegistry();
    try {
      const list = await pushIndex(
        registry,
        'multi',
        ['v1'],
        [
          { created: NEW, arch: 'arm64' },
          { created: NEW, arch: 'amd64' },
        ],
        { format: 'docker' },
      );
      const response = await clientFor(registry).request({
        method: 'GET',
        path: '/v2/multi/manifests/v1',
        headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers['docker-content-digest'], list.children[1]);
      assert.equal((await getManifest(registry, 'multi', 'v1')).digest, list.digest);
    } finally {
      await registry.stop();
    }
  });

  it('serves https with a self-signed certificate exposed as caFile', async () => {
    const registry = await startRegistry({ auth: 'basic', tls: true });
    try {
      assert.match(registry.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(registry.caFile !== undefined && existsSync(registry.caFile));
      await pushImage(registry, 'secure/app', ['v1'], { created: NEW, format: 'oci' });
      assert.deepEqual(await listTags(registry, 'secure/app'), ['v1']);
    } finally {
      await registry.stop();
    }
  });

  it('seeds 50 images quickly and garbage-collects deleted ones', async () => {
    const registry = await startRegistry();
    try {
      const started = performance.now();
      const seeded = await seedRegistry(registry, { repositories: 5, tagsPerRepository: 10 });
      const elapsedMs = performance.now() - started;
      console.log(`seeded ${seeded.length} images in ${Math.round(elapsedMs)} ms`);
      assert.equal(new Set(seeded.map((image) => image.digest)).size, 50);
      assert.equal((await listTags(registry, 'seed/repo-4')).length, 10);
      assert.ok(elapsedMs < 15_000, `seeding took ${Math.round(elapsedMs)} ms`);

      const victim = seeded[0];
      assert.ok(victim !== undefined);
      assert.equal((await deleteManifest(registry, victim.repository, victim.digest)).status, 202);
      assert.match(await registry.garbageCollect(), /blobs marked/);
    } finally {
      await registry.stop();
    }
  });

  it('seeds through the storage the same images an API push gives: listed, served, deletable', async () => {
    const [viaApi, viaStorage] = await Promise.all([startRegistry(), startRegistry()]);
    try {
      const options = {
        repositories: 3,
        tagsPerRepository: 2,
        repositoryPrefix: 'team/r-',
        format: 'oci' as const,
        created: (repository: number, tag: number) => new Date(OLD.getTime() + repository + tag),
      };
      const pushed = await seedRegistry(viaApi, options);
      const written = await seedStorage(viaStorage, options);
      assert.deepEqual(written, pushed);
      for (const registry of [viaApi, viaStorage]) {
        assert.deepEqual(sorted(await listTags(registry, 'team/r-2')), ['v0', 'v1']);
      }
      const [api, storage] = await Promise.all(
        [viaApi, viaStorage].map((registry) => getManifest(registry, 'team/r-1', 'v1')),
      );
      assert.deepEqual(storage, api);
      const victim = written[1];
      assert.ok(victim !== undefined);
      assert.equal(
        (await deleteManifest(viaStorage, victim.repository, victim.digest)).status,
        202,
      );
      assert.deepEqual(await listTags(viaStorage, victim.repository), ['v0']);
    } finally {
      await Promise.all([viaApi.stop(), viaStorage.stop()]);
    }
  });

  it('stop() kills the registry, frees the port and removes the temp dir; a second stop() is harmless', async () => {
    const registry = await startRegistry({ auth: 'token' });
    await pushImage(registry, 'app', ['v1'], { created: NEW });
    assert.equal(existsSync(registry.storageDir), true);
    await registry.stop();
    await registry.stop();
    assert.equal(existsSync(registry.storageDir), false);
    assert.equal(existsSync(registry.configFile), false);
    await assert.rejects(fetch(`${registry.url}/v2/`), /fetch failed/);
    await assert.rejects(fetch(registry.tokenRealm ?? 'http://127.0.0.1:1/'), /fetch failed/);
  });
});
