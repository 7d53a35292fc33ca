import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from '../../../src/application/ports/registry.port.js';
import { RegistryAuth } from '../../../src/adapters/registry/auth/registry-auth.js';
import { InMemoryManifestCache } from '../../../src/adapters/registry/cache/manifest-cache.js';
import { ManifestCopies } from '../../../src/adapters/registry/manifests/manifest-copies.js';
import { MediaType } from '../../../src/adapters/registry/manifests/media-types.js';
import { RecentManifests } from '../../../src/adapters/registry/manifests/recent-manifests.js';
import { buildPlaceholder } from '../../../src/adapters/registry/untag/placeholder.js';
import { TagRemover } from '../../../src/adapters/registry/untag/tag-remover.js';
import { InMemoryOciSender, type TagDeleteMode } from '../../fakes/in-memory-oci-sender.js';

// Issue 21: the tag remover's own decisions, over a registry in memory. The int and e2e tests
// run it against real registries; these pin each branch, the order of its writes and their paths.

const BASE = 'https://registry.test';
const NOW = new Date('2026-06-01T00:00:00Z');
const APP = 'team/app';
const PROBE_A = 'reg-cleaner-tag-delete-probe-a';
const PROBE_B = 'reg-cleaner-tag-delete-probe-b';

/** A cache whose tag DELETE answer is counted, so that a second probe would show. */
class CountingCache extends InMemoryManifestCache {
  stored: boolean[] = [];
  override putTagDeleteSupport(supported: boolean): Promise<void> {
    this.stored.push(supported);
    return super.putTagDeleteSupport(supported);
  }
}

/** `team/app` holds `dev-1` and `stable` on one image (the untag case), `dev-2` on it too. */
async function setup(
  mode: TagDeleteMode,
  known?: boolean,
  mediaType: string = MediaType.dockerManifest,
) {
  const registry = new InMemoryOciSender(BASE);
  registry.tagDelete = mode;
  const shared = registry.push(APP, ['dev-1', 'dev-2', 'stable'], mediaType, 'shared');
  const cache = new CountingCache();
  if (known !== undefined) await cache.putTagDeleteSupport(known);
  cache.stored = [];
  const copies = new ManifestCopies(registry.send, BASE, new RecentManifests());
  const auth = new RegistryAuth(registry.http, BASE, undefined, () => NOW);
  const remover = new TagRemover(registry.send, BASE, cache, copies, auth);
  const remove = (tag: string, repository = APP, expected = shared) => {
    const placeholder = buildPlaceholder(tag, mediaType, NOW);
    return {
      placeholder: placeholder.manifest.digest,
      result: remover.remove(repository, tag, expected, placeholder),
    };
  };
  return { registry, cache, shared, remove };
}

/** Writes whose path names a tag of the user (anything but the probe's tags and digests). */
function userTagWrites(writes: readonly string[]): string[] {
  return writes.filter((write) =>
    /\/manifests\/(?!sha256:|reg-cleaner-tag-delete-probe-)/.test(write),
  );
}

const uploads = (repository: string, sessions: number[]): string[] =>
  sessions.flatMap((n) => [
    `POST ${repository}/blobs/uploads/`,
    `PUT ${repository}/blobs/uploads/session-${String(n)}`,
  ]);

describe('TagRemover: the tag DELETE probe (issue 21)', () => {
  it('202 and the other throwaway tag survived: tag DELETE is used, the user tag is only DELETEd', async () => {
    const { registry, cache, shared, remove } = await setup('accepted');
    const { placeholder, result } = remove('dev-1');

    assert.deepEqual(await result, { status: 'removed', mechanism: 'tag-delete' });
    assert.deepEqual(registry.writes(), [
      `DELETE ${APP}/manifests/${placeholder}`,
      ...uploads(APP, [1, 2]),
      `PUT ${APP}/manifests/${PROBE_A}`,
      `PUT ${APP}/manifests/${PROBE_B}`,
      `DELETE ${APP}/manifests/${PROBE_A}`,
      `DELETE ${APP}/manifests/${placeholder}`,
      `DELETE ${APP}/manifests/dev-1`,
    ]);
    assert.deepEqual(registry.tags(APP), { 'dev-2': shared, stable: shared });
    assert.equal(registry.hasManifest(APP, placeholder), false);
    assert.deepEqual(cache.stored, [true]);
  });

  it('202 that took the other tag with it: not supported, and the placeholder path keeps `stable`', async () => {
    const { registry, cache, shared, remove } = await setup('deletes-manifest');
    const { placeholder, result } = remove('dev-1');

    assert.deepEqual(await result, { status: 'removed', mechanism: 'placeholder' });
    assert.deepEqual(cache.stored, [false]);
    // The broken DELETE only ever met the probe's own tag on the probe's own manifest.
    assert.deepEqual(userTagWrites(registry.writes()), [`PUT ${APP}/manifests/dev-1`]);
    assert.deepEqual(registry.writes().slice(-2), [
      `PUT ${APP}/manifests/dev-1`,
      `DELETE ${APP}/manifests/${placeholder}`,
    ]);
    assert.deepEqual(registry.tags(APP), { 'dev-2': shared, stable: shared });
    assert.equal(registry.hasManifest(APP, shared), true);
    assert.equal(registry.hasManifest(APP, placeholder), false);
  });

  for (const mode of ['bad-request', 'method-not-allowed', 'not-found-kept'] as const) {
    it(`${mode}: no tag DELETE; the placeholder path, and no throwaway tag left`, async () => {
      const { registry, cache, shared, remove } = await setup(mode);
      const { placeholder, result } = remove('dev-1');

      assert.deepEqual(await result, { status: 'removed', mechanism: 'placeholder' });
      assert.deepEqual(cache.stored, [false]);
      assert.deepEqual(userTagWrites(registry.writes()), [`PUT ${APP}/manifests/dev-1`]);
      assert.deepEqual(registry.tags(APP), { 'dev-2': shared, stable: shared });
      assert.equal(registry.hasManifest(APP, placeholder), false);
    });
  }

  it('404 after which a HEAD finds the tag gone: supported (the HEAD decides)', async () => {
    const { registry, cache, shared, remove } = await setup('not-found-gone');
    const { result } = remove('dev-1');

    // The user tag's own DELETE answers 404 too, and the HEAD then says it is gone.
    assert.deepEqual(await result, { status: 'already-gone' });
    assert.deepEqual(cache.stored, [true]);
    assert.deepEqual(userTagWrites(registry.writes()), [`DELETE ${APP}/manifests/dev-1`]);
    assert.deepEqual(registry.tags(APP), { 'dev-2': shared, stable: shared });
  });

  it('is probed once per registry, even by removals in two repositories at once', async () => {
    const { registry, cache, remove } = await setup('accepted');
    const other = registry.push('team/other', ['old', 'latest'], MediaType.dockerManifest, 'o');
    const results = await Promise.all([
      remove('dev-1').result,
      remove('old', 'team/other', other).result,
    ]);

    assert.deepEqual(
      results.map((r) => r.status),
      ['removed', 'removed'],
    );
    assert.equal(registry.writes().filter((w) => w.endsWith(`/manifests/${PROBE_A}`)).length, 2);
    assert.deepEqual(cache.stored, [true]);
    assert.deepEqual(registry.tags('team/other'), { latest: other });
  });

  it('a cached answer is not probed again: true goes straight to the tag DELETE', async () => {
    const { registry, cache, remove } = await setup('accepted', true);
    const { placeholder, result } = remove('dev-1');

    assert.deepEqual(await result, { status: 'removed', mechanism: 'tag-delete' });
    assert.deepEqual(registry.writes(), [
      `DELETE ${APP}/manifests/${placeholder}`,
      `DELETE ${APP}/manifests/dev-1`,
    ]);
    assert.deepEqual(cache.stored, []);
  });

  it('a cached false goes straight to the placeholder, even where tag DELETE would work', async () => {
    const { registry, cache, remove } = await setup('accepted', false);
    const { result } = remove('dev-1');

    assert.deepEqual(await result, { status: 'removed', mechanism: 'placeholder' });
    assert.equal(registry.writes().filter((w) => w.includes(PROBE_A)).length, 0);
    assert.deepEqual(cache.stored, []);
  });

  it('a probe that failed is not cached, and the next tag probes again', async () => {
    const { registry, cache, remove } = await setup('accepted');
    registry.fault = (request) =>
      request.method === 'PUT' && request.path === `manifests/${PROBE_B}` ? 503 : undefined;
    await assert.rejects(remove('dev-1').result, RegistryError);
    assert.deepEqual(cache.stored, []);
    // The first throwaway tag, stored before the second PUT failed, went with its manifest.
    assert.deepEqual(
      Object.keys(registry.tags(APP)).filter((tag) => tag.startsWith('reg-cleaner-')),
      [],
    );

    registry.fault = () => undefined;
    assert.deepEqual(await remove('dev-1').result, { status: 'removed', mechanism: 'tag-delete' });
    assert.deepEqual(cache.stored, [true]);
  });

  it('a registry that accepted the tag DELETE and refuses it later: a failure, nothing else written', async () => {
    const { registry, shared, remove } = await setup('accepted', true);
    registry.tagDelete = 'method-not-allowed';
    const { placeholder, result } = remove('dev-1');

    await assert.rejects(
      result,
      /refused the tag DELETE of team\/app:dev-1 that it accepted before/,
    );
    assert.deepEqual(registry.writes(), [
      `DELETE ${APP}/manifests/${placeholder}`,
      `DELETE ${APP}/manifests/dev-1`,
    ]);
    assert.equal(registry.tags(APP)['dev-1'], shared);
  });
});

describe('TagRemover: the placeholder path (issue 21)', () => {
  it('checks DELETE by digest, uploads, PUTs at the tag, checks it, deletes the placeholder', async () => {
    const { registry, shared, remove } = await setup('method-not-allowed', false);
    const { placeholder, result } = remove('dev-1');

    assert.deepEqual(await result, { status: 'removed', mechanism: 'placeholder' });
    const steps = registry.sent.map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(steps, [
      `DELETE manifests/${placeholder}`,
      'HEAD manifests/dev-1',
      'POST blobs/uploads/',
      'PUT blobs/uploads/session-1',
      'POST blobs/uploads/',
      'PUT blobs/uploads/session-2',
      'HEAD manifests/dev-1',
      'PUT manifests/dev-1',
      'HEAD manifests/dev-1',
      `DELETE manifests/${placeholder}`,
    ]);
    const put = registry.sent.find((r) => r.method === 'PUT' && r.path === 'manifests/dev-1');
    assert.equal(put?.contentType, MediaType.dockerManifest);
    assert.equal(
      registry.sent.every((r) => r.access === undefined || r.access === 'untag'),
      true,
    );
    assert.deepEqual(registry.tags(APP), { 'dev-2': shared, stable: shared });
  });

  it('PUTs the OCI placeholder of an OCI original', async () => {
    const { registry, remove } = await setup('method-not-allowed', false, MediaType.ociManifest);
    assert.equal((await remove('dev-1').result).status, 'removed');
    const put = registry.sent.find((r) => r.method === 'PUT' && r.path === 'manifests/dev-1');
    assert.equal(put?.contentType, MediaType.ociManifest);
  });

  it('uploads the 2-byte layer once per repository, the config for each placeholder', async () => {
    const { registry, remove } = await setup('method-not-allowed', false);
    const other = registry.push('team/other', ['old', 'latest'], MediaType.dockerManifest, 'o');
    await remove('dev-1').result;
    await remove('dev-2').result;
    await remove('old', 'team/other', other).result;

    const blobPuts = registry.sent.filter((r) => r.method === 'PUT' && r.path.startsWith('blobs/'));
    const sizes = blobPuts.map((r) => `${r.repository} ${String(r.body?.length === 2)}`);
    assert.deepEqual(sizes, [
      `${APP} true`,
      `${APP} false`,
      `${APP} false`,
      'team/other true',
      'team/other false',
    ]);
  });

  it('the DELETE-by-digest check runs once per repository, before any other write there', async () => {
    const { registry, remove } = await setup('method-not-allowed', false);
    const other = registry.push('team/other', ['old', 'latest'], MediaType.dockerManifest, 'o');
    const first = remove('dev-1');
    await first.result;
    const second = remove('dev-2');
    await second.result;
    const third = remove('old', 'team/other', other);
    await third.result;

    // The first write in each repository is the DELETE of a digest nobody pushed yet; the
    // second placeholder of team/app is deleted once, after its PUT, and not checked first.
    const deletes = registry.writes().filter((w) => w.startsWith('DELETE'));
    assert.deepEqual(deletes, [
      `DELETE ${APP}/manifests/${first.placeholder}`,
      `DELETE ${APP}/manifests/${first.placeholder}`,
      `DELETE ${APP}/manifests/${second.placeholder}`,
      `DELETE team/other/manifests/${third.placeholder}`,
      `DELETE team/other/manifests/${third.placeholder}`,
    ]);
    assert.equal(registry.writes()[0], deletes[0]);
    assert.equal(
      registry.writes().find((w) => w.includes('team/other')),
      deletes[3],
    );
  });

  for (const status of [401, 403, 405]) {
    it(`a DELETE-by-digest check answering ${String(status)}: nothing is written, and the repository stays refused`, async () => {
      const { registry, shared, remove } = await setup('method-not-allowed', false);
      registry.fault = (request) => (request.method === 'DELETE' ? status : undefined);
      const message =
        status === 405 ? /deletion is disabled/ : /lacks delete permission on team\/app/;

      await assert.rejects(remove('dev-1').result, message);
      await assert.rejects(remove('dev-2').result, message);
      assert.equal(registry.writes().length, 1, registry.writes().join('\n'));
      assert.deepEqual(registry.tags(APP), { 'dev-1': shared, 'dev-2': shared, stable: shared });
    });
  }

  it('a DELETE-by-digest check that failed (503): the next tag checks again, and the repository is not refused', async () => {
    const { registry, shared, remove } = await setup('method-not-allowed', false);
    let down = true;
    registry.fault = (request) => (down && request.method === 'DELETE' ? 503 : undefined);

    await assert.rejects(remove('dev-1').result, /503/);
    down = false;
    assert.deepEqual(await remove('dev-2').result, { status: 'removed', mechanism: 'placeholder' });
    assert.deepEqual(registry.tags(APP), { 'dev-1': shared, stable: shared });
  });

  it('the layer removed by the garbage collector after an earlier run: uploaded again, the tag untagged', async () => {
    const { registry, shared, remove } = await setup('method-not-allowed', false);
    assert.deepEqual(await remove('dev-1').result, { status: 'removed', mechanism: 'placeholder' });
    // Nothing names the 2-byte layer once the placeholder is deleted: a collection takes it.
    registry.collectGarbage(APP);
    const before = registry.sent.length;

    const second = remove('dev-2');
    assert.deepEqual(await second.result, { status: 'removed', mechanism: 'placeholder' });
    const puts = registry.sent
      .slice(before)
      .filter((r) => r.method === 'PUT')
      .map((r) => `${r.path.startsWith('blobs/') ? 'blob' : r.path} ${String(r.body?.length)}`);
    // The config (the layer is remembered), the manifest refused, then the layer and the config
    // again, and the manifest accepted.
    assert.deepEqual(
      puts.map((put) => put.replace(/ \d+$/, (size) => (size === ' 2' ? ' layer' : ''))),
      ['blob', 'manifests/dev-2', 'blob layer', 'blob', 'manifests/dev-2'],
    );
    assert.deepEqual(registry.tags(APP), { stable: shared });
    assert.equal(registry.hasManifest(APP, second.placeholder), false, 'placeholder deleted');
  });

  it('a manifest refused with 400 twice: a failure, the tag untouched', async () => {
    const { registry, shared, remove } = await setup('method-not-allowed', false);
    registry.fault = (request) =>
      request.method === 'PUT' && request.path === 'manifests/dev-1' ? 400 : undefined;

    await assert.rejects(remove('dev-1').result, /400/);
    const manifestPuts = registry.writes().filter((w) => w === `PUT ${APP}/manifests/dev-1`);
    assert.equal(manifestPuts.length, 2, 'one PUT after the layer was uploaded again, no more');
    assert.deepEqual(registry.tags(APP), { 'dev-1': shared, 'dev-2': shared, stable: shared });
  });

  it('a tag already gone or moved before any upload: left alone, no write after the check', async () => {
    const { registry, shared, remove } = await setup('method-not-allowed', false);
    const moved = registry.push(APP, ['dev-2'], MediaType.dockerManifest, 'pushed again');

    assert.deepEqual(await remove('gone').result, { status: 'already-gone' });
    assert.deepEqual(await remove('dev-2').result, { status: 'moved', digest: moved });
    assert.equal(registry.writes().length, 1);
    assert.deepEqual(registry.tags(APP), { 'dev-1': shared, 'dev-2': moved, stable: shared });
  });

  it('a tag pushed again during the uploads: no PUT at it', async () => {
    const { registry, remove } = await setup('method-not-allowed', false);
    let moved = '';
    registry.fault = (request) => {
      if (request.method === 'PUT' && request.path === 'blobs/uploads/session-2') {
        moved = registry.push(APP, ['dev-1'], MediaType.dockerManifest, 'pushed again');
      }
      return undefined;
    };

    assert.deepEqual(await remove('dev-1').result, { status: 'moved', digest: moved });
    assert.deepEqual(userTagWrites(registry.writes()), []);
    assert.equal(registry.tags(APP)['dev-1'], moved);
  });

  it('a tag pushed again right after the placeholder PUT: the new push stays, the placeholder goes', async () => {
    const { registry, remove } = await setup('method-not-allowed', false);
    let heads = 0;
    let moved = '';
    registry.fault = (request) => {
      if (request.method === 'HEAD' && request.path === 'manifests/dev-1' && ++heads === 3) {
        moved = registry.push(APP, ['dev-1'], MediaType.dockerManifest, 'pushed again');
      }
      return undefined;
    };
    const { placeholder, result } = remove('dev-1');

    assert.deepEqual(await result, { status: 'moved', digest: moved });
    assert.equal(registry.tags(APP)['dev-1'], moved);
    assert.equal(registry.writes().at(-1), `DELETE ${APP}/manifests/${placeholder}`);
    assert.equal(registry.hasManifest(APP, placeholder), false);
  });

  for (const [status, kind] of [
    [401, 'auth'],
    [403, 'forbidden'],
  ] as const) {
    it(`${String(status)} on the placeholder PUT says the account lacks push; the tag stays`, async () => {
      const { registry, shared, remove } = await setup('method-not-allowed', false);
      registry.fault = (request) =>
        request.method === 'PUT' && request.path === 'manifests/dev-1' ? status : undefined;

      await assert.rejects(remove('dev-1').result, (error: unknown) => {
        assert.ok(error instanceof RegistryError);
        assert.equal(error.kind, kind);
        assert.match(error.message, /lacks push permission on team\/app/);
        return true;
      });
      assert.equal(registry.tags(APP)['dev-1'], shared);
    });

    it(`${String(status)} on the blob upload says push is needed for shared_digest: untag`, async () => {
      const { registry, shared, remove } = await setup('method-not-allowed', false);
      registry.fault = (request) => (request.method === 'POST' ? status : undefined);

      await assert.rejects(
        remove('dev-1').result,
        /lacks push permission on team\/app, which removing a tag alone \(shared_digest: untag\) needs/,
      );
      assert.deepEqual(userTagWrites(registry.writes()), []);
      assert.equal(registry.tags(APP)['dev-1'], shared);
    });
  }

  it('a failed placeholder DELETE is a failure naming the tag and the placeholder it is left on', async () => {
    const { registry, shared, remove } = await setup('method-not-allowed', false);
    const { placeholder, result } = remove('dev-1');
    registry.fault = (request) =>
      request.method === 'DELETE' && registry.hasManifest(APP, placeholder) ? 503 : undefined;

    await assert.rejects(result, (error: unknown) => {
      assert.ok(error instanceof RegistryError);
      assert.equal(error.kind, 'unavailable');
      assert.match(
        error.message,
        /^tag team\/app:dev-1 is left on placeholder sha256:[0-9a-f]{64}/,
      );
      assert.ok(error.message.includes(placeholder));
      return true;
    });
    // Only dev-1 moved: the kept tags stay on the image.
    assert.deepEqual(registry.tags(APP), { 'dev-1': placeholder, 'dev-2': shared, stable: shared });
  });
});
