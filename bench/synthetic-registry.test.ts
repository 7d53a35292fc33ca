import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildContent, buildDataset } from './content.js';
import { BENCH_JOB, createdOf, type ImageSpec } from './dataset.js';
import { computeFloor, countByKind } from './floor.js';
import { syntheticFloor } from './synthetic/floor.js';
import { SyntheticModel } from './synthetic/model.js';
import { SyntheticRegistry } from './synthetic/registry.js';
import { render } from './synthetic/templates.js';
import { createAgent, send, type SupportResponse } from '../testkit/http-request.js';
import { ALL_MANIFEST_TYPES } from '../testkit/media-types.js';
import { DAY_MS } from '../testkit/dates.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const OPTIONS = { repositories: 6, tagsPerRepository: 60, nowMs: NOW.getTime(), seed: 7 };

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function allImages(model: SyntheticModel): { repository: number; image: ImageSpec }[] {
  return model.names.flatMap((_, repository) =>
    [...model.repositorySpec(repository).images.values()].map((image) => ({ repository, image })),
  );
}

describe('synthetic registry model', () => {
  const model = new SyntheticModel(OPTIONS);

  it('names every tag once and parses each name back to its number', () => {
    const names = Array.from({ length: model.tagsPerRepository }, (_, tag) => model.tagName(tag));
    assert.equal(new Set(names).size, 60);
    names.forEach((name, tag) => {
      assert.equal(model.tagIndex(name), tag, name);
    });
    for (const unknown of ['dev-01', 'dev-999', 'release-1.99', 'feature-login-1', 'v1.9.0', 'x']) {
      assert.equal(model.tagIndex(unknown), -1, unknown);
    }
  });

  it('renders the bytes content.ts builds, for every kind of image', () => {
    const images = allImages(model);
    assert.ok(images.some(({ image }) => image.kind === 'index'));
    assert.ok(images.some(({ image }) => image.kind === 'image' && image.format === 'oci'));
    for (const { image } of images) assert.deepEqual(render(image), buildContent(image));
  });

  it('spreads dates over the year, keeps young repositories young, and is deterministic', () => {
    const ageDays = (image: ImageSpec): number =>
      (NOW.getTime() - createdOf(image).getTime()) / DAY_MS;
    const old = allImages(model).filter(({ repository }) => repository !== 4);
    assert.ok(old.some(({ image }) => ageDays(image) > 300));
    assert.ok(old.some(({ image }) => ageDays(image) < 29));
    const young = allImages(model).filter(
      ({ repository, image }) => repository === 4 && !image.key.startsWith('common-'),
    );
    assert.ok(young.length > 0 && young.every(({ image }) => ageDays(image) < 29));
    const again = new SyntheticModel(OPTIONS);
    assert.deepEqual(again.repositorySpec(2), model.repositorySpec(2));
  });

  it('counts the same floor as computeFloor on the built data set', () => {
    const specs = model.names.map((_, index) => model.repositorySpec(index));
    const built = buildDataset({ now: NOW, job: BENCH_JOB, repositories: specs });
    const listed = computeFloor(built, BENCH_JOB, NOW);
    const counted = syntheticFloor(model, BENCH_JOB, NOW);
    assert.deepEqual(counted.cold, countByKind(listed.cold));
    assert.deepEqual(counted.warm, countByKind(listed.warm));
    assert.deepEqual(counted.real, countByKind(listed.real));
    assert.ok(counted.real.delete > 0, 'the job deletes something');
    // The deletion journal reads the deleted manifests (the warm run only sent HEADs); one
    // image deleted in several repositories is read once.
    assert.equal(counted.warm['manifest-get'], 0);
    assert.ok(counted.real['manifest-get'] > 0);
  });
});

describe('synthetic registry over HTTP', () => {
  const model = new SyntheticModel(OPTIONS);
  const registry = new SyntheticRegistry(model);
  const agent = createAgent({ https: false, ca: undefined });
  let server: Server;
  let base = '';

  before(async () => {
    server = createServer(registry.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  after(async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const call = (method: string, path: string): Promise<SupportResponse> =>
    send({ method, url: new URL(path, base), agent, headers: { accept: ALL_MANIFEST_TYPES } });
  const tagsOf = async (name: string): Promise<string[] | null> =>
    (
      JSON.parse((await call('GET', `/v2/${name}/tags/list`)).body.toString()) as {
        tags: string[] | null;
      }
    ).tags;

  it('serves every tag, platform manifest and config with its sha256 as digest', async () => {
    const spec = model.repositorySpec(1);
    const name = spec.name;
    for (const { tag, image } of spec.tags) {
      const expected = buildContent(spec.images.get(image) as ImageSpec);
      const response = await call('GET', `/v2/${name}/manifests/${tag}`);
      assert.equal(response.status, 200, tag);
      assert.deepEqual(response.body, expected.manifest.bytes, tag);
      assert.equal(response.headers['docker-content-digest'], sha256(response.body));
      assert.equal(response.headers['content-type'], expected.manifest.mediaType);
      assert.equal(response.headers['content-length'], String(response.body.length));
      const headed = await call('HEAD', `/v2/${name}/manifests/${tag}`);
      assert.equal(headed.headers['docker-content-digest'], expected.manifest.digest);
      assert.equal(headed.body.length, 0);
      const images = expected.kind === 'image' ? [expected] : expected.children;
      for (const child of expected.kind === 'index' ? expected.children : []) {
        const byDigest = await call('GET', `/v2/${name}/manifests/${child.manifest.digest}`);
        assert.deepEqual(byDigest.body, child.manifest.bytes);
      }
      for (const { config } of images) {
        const blob = await call('GET', `/v2/${name}/blobs/${config.digest}`);
        assert.equal(blob.status, 200);
        assert.equal(sha256(blob.body), config.digest);
      }
    }
    assert.deepEqual(
      await tagsOf(name),
      spec.tags.map(({ tag }) => tag),
    );
    const unknown = await call('GET', `/v2/${name}/manifests/sha256:${'0'.repeat(64)}`);
    assert.equal(unknown.status, 404);
    assert.equal((await call('GET', '/v2/bench/nope/tags/list')).status, 404);
  });

  it('pages the catalog with Link and refuses pages above 1000', async () => {
    const first = await call('GET', '/v2/_catalog?n=4');
    assert.deepEqual(JSON.parse(first.body.toString()), { repositories: model.names.slice(0, 4) });
    const link = /<([^>]+)>; rel="next"/.exec(String(first.headers.link));
    assert.ok(link?.[1] !== undefined);
    const second = await call('GET', link[1]);
    assert.deepEqual(JSON.parse(second.body.toString()), { repositories: model.names.slice(4) });
    assert.equal(second.headers.link, undefined);
    const exact = await call('GET', '/v2/_catalog?n=6');
    assert.equal(exact.headers.link, undefined);
    assert.equal((await call('GET', '/v2/_catalog?n=1001')).status, 400);
  });

  it('deletes like distribution 2.8: by digest once, tags go with it, a config deletes nothing', async () => {
    const spec = model.repositorySpec(3);
    const name = spec.name;
    const digestOf = (tag: string): string => {
      const key = spec.tags.find((entry) => entry.tag === tag)?.image ?? '';
      return buildContent(spec.images.get(key) as ImageSpec).manifest.digest;
    };
    const digest = digestOf('dev-8'); // dev-9 shares it
    assert.equal(digestOf('dev-9'), digest);
    assert.equal((await call('DELETE', `/v2/${name}/manifests/dev-8`)).status, 400);
    assert.equal((await call('DELETE', `/v2/${name}/manifests/${digest}`)).status, 202);
    assert.equal((await call('DELETE', `/v2/${name}/manifests/${digest}`)).status, 404);
    assert.equal((await call('GET', `/v2/${name}/manifests/dev-9`)).status, 404);
    assert.equal((await call('HEAD', `/v2/${name}/manifests/${digest}`)).status, 404);
    const config = buildContent(spec.images.get(`${name}/dev-0`) as ImageSpec);
    if (config.kind !== 'image') assert.fail('dev-0 is an image');
    assert.equal(
      (await call('DELETE', `/v2/${name}/manifests/${config.config.digest}`)).status,
      202,
    );
    assert.equal((await call('GET', `/v2/${name}/manifests/dev-0`)).status, 200);
    const left = await tagsOf(name);
    assert.deepEqual(
      left,
      spec.tags.map(({ tag }) => tag).filter((tag) => tag !== 'dev-8' && tag !== 'dev-9'),
    );
    // The same image in another repository is untouched.
    assert.equal((await call('GET', `/v2/${model.names[2] ?? ''}/manifests/dev-9`)).status, 200);
  });

  it('answers "tags": null once every tag of a repository is deleted', async () => {
    const spec = model.repositorySpec(5);
    const digests = new Set(
      spec.tags.map(
        ({ image }) => buildContent(spec.images.get(image) as ImageSpec).manifest.digest,
      ),
    );
    for (const digest of digests) {
      assert.equal((await call('DELETE', `/v2/${spec.name}/manifests/${digest}`)).status, 202);
    }
    assert.equal(await tagsOf(spec.name), null);
  });

  it('counts requests by kind and duplicates, registry-wide for shared digests', async () => {
    registry.reset();
    const name = model.names[0] ?? '';
    const other = model.names[2] ?? '';
    await call('GET', '/v2/');
    await call('GET', `/v2/${name}/manifests/dev-1`);
    await call('GET', `/v2/${name}/manifests/dev-1`); // duplicate
    await call('HEAD', `/v2/${name}/manifests/dev-1`);
    await call('GET', `/v2/${other}/manifests/dev-1`); // another repository's tag: not one
    const common = buildContent(model.image(0, model.slotOfTag(0, model.tagIndex('dev-base-0'))));
    if (common.kind !== 'image') assert.fail('dev-base-0 is an image');
    await call('GET', `/v2/${name}/blobs/${common.config.digest}`);
    await call('GET', `/v2/${other}/blobs/${common.config.digest}`); // same digest: duplicate
    await call('PUT', `/v2/${name}/manifests/x`);
    const counters = registry.counters();
    assert.equal(counters.counts.probe, 1);
    assert.equal(counters.counts['manifest-get'], 3);
    assert.equal(counters.counts['manifest-head'], 1);
    assert.equal(counters.counts.blob, 2);
    assert.equal(counters.other, 1);
    assert.equal(counters.duplicates, 2);
    registry.reset();
    assert.equal(registry.counters().counts['manifest-get'], 0);
  });
});
