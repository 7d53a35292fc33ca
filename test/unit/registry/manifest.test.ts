import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from '../../../src/application/ports/registry.port.js';
import {
  parseConfigCreated,
  parseManifest,
} from '../../../src/adapters/registry/manifests/manifest.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;

function bytes(value: unknown): Buffer {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
}

function isInvalid(pattern: RegExp): (error: unknown) => boolean {
  return (error) =>
    error instanceof RegistryError &&
    error.kind === 'invalid-response' &&
    pattern.test(error.message);
}

describe('parseManifest', () => {
  it("reads a docker image manifest's config digest", () => {
    const body = bytes({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        digest: D1,
        size: 10,
      },
      layers: [],
    });
    const manifest = parseManifest(body, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.deepEqual(manifest, {
      kind: 'image',
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      bytes: body.byteLength,
      configDigest: D1,
      configSize: 10,
      layers: [],
    });
  });

  it("reads the sizes: the manifest's bytes, its config's and its layers'", () => {
    const body = bytes({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: D1, size: 1_469 },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: D2, size: 3_370_706 },
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: D1, size: 12 },
      ],
    });
    const manifest = parseManifest(body, undefined);
    assert.ok(manifest.kind === 'image');
    assert.equal(manifest.bytes, body.byteLength);
    assert.equal(manifest.configSize, 1_469);
    assert.deepEqual(manifest.layers, [
      { digest: D2, size: 3_370_706 },
      { digest: D1, size: 12 },
    ]);
  });

  it('a size that is missing or not a whole number is 0, and never makes the manifest invalid', () => {
    const manifest = parseManifest(
      bytes({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { digest: D1 },
        layers: [{ digest: D2, size: -5 }, { digest: D1, size: 1.5 }, { digest: 'nope' }, 'junk'],
      }),
      undefined,
    );
    assert.ok(manifest.kind === 'image');
    assert.equal(manifest.configSize, 0);
    assert.deepEqual(manifest.layers, [
      { digest: D2, size: 0 },
      { digest: D1, size: 0 },
    ]);
  });

  it('takes the media type from Content-Type when the OCI body omits it', () => {
    const manifest = parseManifest(
      bytes({ schemaVersion: 2, config: { digest: D1 }, layers: [] }),
      'application/vnd.oci.image.manifest.v1+json; charset=utf-8',
    );
    assert.equal(manifest.kind, 'image');
    assert.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  });

  it("lists an index's platform images and leaves attestations out", () => {
    const manifest = parseManifest(
      bytes({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: D1,
            platform: { os: 'linux', architecture: 'amd64' },
          },
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: D2,
            platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          },
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: D3,
            platform: { os: 'unknown', architecture: 'unknown' },
            annotations: {
              'vnd.docker.reference.type': 'attestation-manifest',
              'vnd.docker.reference.digest': D1,
            },
          },
        ],
      }),
      undefined,
    );
    assert.ok(manifest.kind === 'index');
    assert.deepEqual(
      manifest.children.map((child) => [child.digest, child.platform]),
      [
        [D1, 'linux/amd64'],
        [D2, 'linux/arm64/v8'],
      ],
    );
  });

  it('treats an annotated attestation as one even with a real-looking platform, and unknown/unknown without annotation', () => {
    const manifest = parseManifest(
      bytes({
        mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
        manifests: [
          {
            digest: D1,
            platform: { os: 'linux', architecture: 'amd64' },
            annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
          },
          { digest: D2, platform: { os: 'unknown', architecture: 'unknown' } },
        ],
      }),
      undefined,
    );
    assert.ok(manifest.kind === 'index');
    assert.deepEqual(manifest.children, []);
  });

  it('recognises an index by shape when neither body nor header names the type', () => {
    const manifest = parseManifest(
      bytes({ schemaVersion: 2, manifests: [{ digest: D1 }] }),
      'application/json',
    );
    assert.equal(manifest.kind, 'index');
  });

  it('refuses malformed and unknown manifests with invalid-response', () => {
    assert.throws(
      () => parseManifest(bytes('{"schemaVersion": 2,'), undefined),
      isInvalid(/not valid JSON/),
    );
    assert.throws(() => parseManifest(bytes('[1,2]'), undefined), isInvalid(/not a JSON object/));
    assert.throws(
      () =>
        parseManifest(
          bytes({
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            config: { digest: 'nope' },
          }),
          undefined,
        ),
      isInvalid(/config digest/),
    );
    assert.throws(
      () =>
        parseManifest(
          bytes({
            mediaType: 'application/vnd.oci.image.index.v1+json',
            manifests: [{ digest: 42 }],
          }),
          undefined,
        ),
      isInvalid(/valid digest/),
    );
    assert.throws(
      () =>
        parseManifest(bytes({ mediaType: 'application/vnd.oci.image.index.v1+json' }), undefined),
      isInvalid(/"manifests"/),
    );
    assert.throws(
      () =>
        parseManifest(
          bytes({ schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] }),
          'application/vnd.docker.distribution.manifest.v1+prettyjws',
        ),
      isInvalid(/schema 1/),
    );
    assert.throws(
      () => parseManifest(bytes({ mediaType: 'application/vnd.example.thing+json' }), undefined),
      isInvalid(/unsupported manifest media type/),
    );
  });
});

describe('parseConfigCreated', () => {
  it('reads created from an image config', () => {
    const date = parseConfigCreated(
      bytes({ architecture: 'amd64', created: '2024-03-04T05:06:07.123456789Z' }),
    );
    assert.deepEqual(date, { ok: true, date: new Date('2024-03-04T05:06:07.123Z') });
  });

  it('reports a missing created as a problem, not an error', () => {
    const date = parseConfigCreated(bytes({ architecture: 'amd64' }));
    assert.ok(!date.ok);
    assert.match(date.problem, /no "created"/);
  });

  it('refuses a config that is not JSON', () => {
    assert.throws(
      () => parseConfigCreated(bytes('not json')),
      isInvalid(/image config is not valid JSON/),
    );
  });
});
