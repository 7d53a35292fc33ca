import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  RegistryError,
  type RepositoryAccess,
} from '../../../src/application/ports/registry.port.js';
import { ManifestCopies } from '../../../src/adapters/registry/manifests/manifest-copies.js';
import {
  listedManifests,
  manifestMediaType,
  referencedBlobs,
} from '../../../src/adapters/registry/manifests/manifest-references.js';
import { RecentManifests } from '../../../src/adapters/registry/manifests/recent-manifests.js';
import type {
  RegistryRequest,
  RegistryResponse,
} from '../../../src/adapters/registry/transport/registry-http-client.js';

const BASE = 'https://registry.test';
const digestOf = (bytes: Buffer): string =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const d = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;

const IMAGE = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { digest: d(1), size: 1 },
    layers: [
      { digest: d(2), size: 1 },
      {
        digest: d(3),
        size: 1,
        mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
        urls: ['https://mcr.example/layer'],
      },
    ],
  }),
);
const OTHER = Buffer.from(
  JSON.stringify({ schemaVersion: 2, config: { digest: d(4) }, layers: [] }),
);
const INDEX = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    manifests: [
      { digest: digestOf(IMAGE), platform: { os: 'linux', architecture: 'amd64' } },
      {
        digest: digestOf(OTHER),
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
      },
    ],
  }),
);

/** A registry holding IMAGE, OTHER and INDEX by digest; records every request. */
function stubRegistry(
  overrides: (request: RegistryRequest) => RegistryResponse | undefined = () => undefined,
) {
  const requests: { method: string; url: string; access: RepositoryAccess }[] = [];
  const stored = new Map([IMAGE, OTHER, INDEX].map((bytes) => [digestOf(bytes), bytes]));
  const send = (request: RegistryRequest, _repository: string, access: RepositoryAccess) => {
    requests.push({ method: request.method, url: request.url, access });
    const scripted = overrides(request);
    if (scripted !== undefined) return Promise.resolve(scripted);
    const reference = request.url.split('/manifests/')[1] ?? '';
    const body = stored.get(reference);
    return Promise.resolve(
      body === undefined
        ? { status: 404, headers: {}, body: Buffer.alloc(0), url: request.url }
        : {
            status: 200,
            headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
            body,
            url: request.url,
          },
    );
  };
  return { requests, send };
}

describe('manifest references (what a PUT of the bytes needs)', () => {
  it('lists the config and layers of an image, leaving out foreign layers', () => {
    assert.deepEqual(referencedBlobs(IMAGE), [
      { digest: d(1), role: 'config' },
      { digest: d(2), role: 'layer' },
    ]);
    assert.deepEqual(referencedBlobs(INDEX), []);
  });

  it('lists every manifest of an index, attestations included; none for an image', () => {
    assert.deepEqual(listedManifests(INDEX), [digestOf(IMAGE), digestOf(OTHER)]);
    assert.deepEqual(listedManifests(IMAGE), []);
  });

  it('takes the media type from the registry, else the body, else the shape', () => {
    assert.equal(
      manifestMediaType(IMAGE, 'application/vnd.oci.image.manifest.v1+json; charset=utf-8'),
      'application/vnd.oci.image.manifest.v1+json',
    );
    assert.equal(
      manifestMediaType(IMAGE, 'application/json'),
      'application/vnd.docker.distribution.manifest.v2+json',
    );
    assert.equal(manifestMediaType(INDEX, undefined), 'application/vnd.oci.image.index.v1+json');
    assert.equal(manifestMediaType(OTHER, undefined), 'application/vnd.oci.image.manifest.v1+json');
  });

  it('refuses bytes that are no manifest', () => {
    assert.throws(() => referencedBlobs(Buffer.from('<html>')), RegistryError);
    assert.throws(() => referencedBlobs(Buffer.from('{"config":{}}')), /no valid digest/);
  });
});

describe('ManifestCopies', () => {
  it('takes bytes a real run already received from memory: no request at all', async () => {
    const recent = new RecentManifests();
    recent.note(INDEX, 'application/vnd.oci.image.index.v1+json');
    recent.note(IMAGE, undefined);
    recent.note(OTHER, undefined);
    const { requests, send } = stubRegistry();
    const copy = await new ManifestCopies(send, BASE, recent).copy(
      'app',
      digestOf(INDEX),
      'delete',
    );
    assert.deepEqual(requests, []);
    assert.equal(copy.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(copy.bytes, INDEX);
    assert.deepEqual(
      copy.children.map((child) => [child.digest, child.mediaType]),
      [
        [digestOf(IMAGE), 'application/vnd.docker.distribution.manifest.v2+json'],
        [digestOf(OTHER), 'application/vnd.oci.image.manifest.v1+json'],
      ],
    );
  });

  it("otherwise GETs each manifest once by digest, with the caller's access", async () => {
    const { requests, send } = stubRegistry();
    const copy = await new ManifestCopies(send, BASE, new RecentManifests()).copy(
      'app',
      digestOf(INDEX),
      'delete',
    );
    assert.deepEqual(
      requests.map((request) => `${request.method} ${request.url} ${request.access}`),
      [INDEX, IMAGE, OTHER].map(
        (bytes) => `GET ${BASE}/v2/app/manifests/${digestOf(bytes)} delete`,
      ),
    );
    assert.equal(copy.children.length, 2);
  });

  it('reads a digest deleted in two repositories at once with one GET', async () => {
    const { requests, send } = stubRegistry();
    const copies = new ManifestCopies(send, BASE, new RecentManifests());
    const [first, second] = await Promise.all([
      copies.copy('app', digestOf(IMAGE), 'delete'),
      copies.copy('other', digestOf(IMAGE), 'delete'),
    ]);
    assert.deepEqual(
      requests.map((request) => request.url),
      [`${BASE}/v2/app/manifests/${digestOf(IMAGE)}`],
    );
    assert.deepEqual(second.bytes, IMAGE);
    assert.deepEqual(first.bytes, IMAGE);
  });

  it('asks again in its own repository when the GET it waited for failed there', async () => {
    const { requests, send } = stubRegistry((request) =>
      request.url.includes('/v2/app/')
        ? { status: 404, headers: {}, body: Buffer.alloc(0), url: request.url }
        : undefined,
    );
    const copies = new ManifestCopies(send, BASE, new RecentManifests());
    const [first, second] = await Promise.allSettled([
      copies.copy('app', digestOf(IMAGE), 'delete'),
      copies.copy('other', digestOf(IMAGE), 'delete'),
    ]);
    assert.equal(first.status, 'rejected');
    assert.equal(second.status, 'fulfilled');
    assert.deepEqual(
      requests.map((request) => request.url),
      [
        `${BASE}/v2/app/manifests/${digestOf(IMAGE)}`,
        `${BASE}/v2/other/manifests/${digestOf(IMAGE)}`,
      ],
    );
  });

  it('refuses bytes that do not hash to the digest asked for', async () => {
    const { send } = stubRegistry((request) =>
      request.method === 'GET'
        ? { status: 200, headers: {}, body: OTHER, url: request.url }
        : undefined,
    );
    await assert.rejects(
      new ManifestCopies(send, BASE, new RecentManifests()).copy('app', digestOf(IMAGE), 'delete'),
      /does not match its digest/,
    );
  });

  it('a manifest already gone is not-found', async () => {
    const { send } = stubRegistry();
    await assert.rejects(
      new ManifestCopies(send, BASE, new RecentManifests()).copy('app', d(9), 'delete'),
      (error: unknown) => error instanceof RegistryError && error.kind === 'not-found',
    );
  });

  it('PUTs the exact bytes with their media type under the reference, as a restore', async () => {
    let sent: RegistryRequest | undefined;
    const { requests, send } = stubRegistry((request) => {
      sent = request;
      return {
        status: 201,
        headers: { 'docker-content-digest': digestOf(IMAGE) },
        body: Buffer.alloc(0),
        url: request.url,
      };
    });
    const copies = new ManifestCopies(send, BASE, new RecentManifests());
    const stored = await copies.put('app', 'v1', {
      digest: digestOf(IMAGE),
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      bytes: IMAGE,
    });
    assert.equal(stored, digestOf(IMAGE));
    assert.equal(sent?.method, 'PUT');
    assert.equal(sent.url, `${BASE}/v2/app/manifests/v1`);
    assert.deepEqual(sent.body, IMAGE);
    assert.deepEqual(sent.headers, {
      'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json',
    });
    assert.equal(requests[0]?.access, 'restore');
  });

  it('a refused PUT says why: missing blobs, or no push permission', async () => {
    const answer = (status: number, body: string) =>
      stubRegistry((request) => ({
        status,
        headers: {},
        body: Buffer.from(body),
        url: request.url,
      }));
    const copy = { digest: digestOf(IMAGE), mediaType: 'x', bytes: IMAGE };
    await assert.rejects(
      new ManifestCopies(
        answer(
          400,
          '{"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry"}]}',
        ).send,
        BASE,
        new RecentManifests(),
      ).put('app', 'v1', copy),
      /PUT manifest app:v1: the registry answered 400 MANIFEST_BLOB_UNKNOWN/,
    );
    await assert.rejects(
      new ManifestCopies(answer(401, '').send, BASE, new RecentManifests()).put('app', 'v1', copy),
      /lacks push permission on app/,
    );
  });

  it('asks where a tag points with HEAD; 404 is no tag; HEAD without a digest falls back to GET', async () => {
    const head = stubRegistry((request) =>
      request.method === 'HEAD'
        ? {
            status: 200,
            headers: { 'docker-content-digest': d(5) },
            body: Buffer.alloc(0),
            url: request.url,
          }
        : undefined,
    );
    assert.equal(
      await new ManifestCopies(head.send, BASE, new RecentManifests()).currentDigest(
        'app',
        'v1',
        'read',
      ),
      d(5),
    );
    assert.deepEqual(
      head.requests.map((request) => request.method),
      ['HEAD'],
    );

    const missing = stubRegistry();
    assert.equal(
      await new ManifestCopies(missing.send, BASE, new RecentManifests()).currentDigest(
        'app',
        'v1',
        'read',
      ),
      undefined,
    );

    const bare = stubRegistry((request) =>
      request.method === 'HEAD'
        ? { status: 200, headers: {}, body: Buffer.alloc(0), url: request.url }
        : { status: 200, headers: {}, body: IMAGE, url: request.url },
    );
    assert.equal(
      await new ManifestCopies(bare.send, BASE, new RecentManifests()).currentDigest(
        'app',
        'v1',
        'read',
      ),
      digestOf(IMAGE),
    );
    assert.deepEqual(
      bare.requests.map((request) => request.method),
      ['HEAD', 'GET'],
    );
  });

  it('HEADs a blob: 200 there, 404 gone, anything else an error', async () => {
    const answer = (status: number) =>
      new ManifestCopies(
        stubRegistry((request) => ({
          status,
          headers: {},
          body: Buffer.alloc(0),
          url: request.url,
        })).send,
        BASE,
        new RecentManifests(),
      );
    assert.equal(await answer(200).blobExists('app', d(1), 'read'), true);
    assert.equal(await answer(404).blobExists('app', d(1), 'read'), false);
    await assert.rejects(answer(503).blobExists('app', d(1), 'read'), RegistryError);
  });
});

describe('RecentManifests', () => {
  it('keeps the newest bodies within its byte budget, by the sha256 of their bytes', () => {
    const recent = new RecentManifests(IMAGE.length + OTHER.length);
    recent.note(IMAGE, undefined);
    recent.note(OTHER, undefined);
    assert.ok(recent.get(digestOf(IMAGE)) !== undefined);
    recent.note(INDEX, undefined);
    assert.equal(recent.get(digestOf(IMAGE)), undefined, 'the oldest went first');
    assert.ok(recent.get(digestOf(INDEX)) !== undefined);
  });
});
