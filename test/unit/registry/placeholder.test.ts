import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaType } from '../../../src/adapters/registry/manifests/media-types.js';
import {
  buildPlaceholder,
  PLACEHOLDER_LABEL,
} from '../../../src/adapters/registry/untag/placeholder.js';
import { digestOf, parseManifest } from '../../support/oci-store.js';

// Issue 21: the manifest a tag is moved onto before it is deleted by digest. Built without a
// request; what it must be so that deleting it deletes nothing else and a registry accepts it.

const AT = new Date('2026-06-01T12:34:56.789Z');

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}
interface Shape {
  schemaVersion: number;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}
interface Config {
  created: string;
  config: { Labels: Record<string, string> };
  rootfs: { diff_ids: string[] };
}

function read(tag: string, original: string, at = AT) {
  const placeholder = buildPlaceholder(tag, original, at);
  const shape = JSON.parse(Buffer.from(placeholder.manifest.bytes).toString('utf8')) as Shape;
  const blob = (digest: string) => placeholder.blobs.find((b) => b.digest === digest);
  const configBlob = blob(shape.config.digest);
  assert.ok(configBlob !== undefined, 'the config is one of the blobs to upload');
  const config = JSON.parse(Buffer.from(configBlob.bytes).toString('utf8')) as Config;
  return { placeholder, shape, config, blob };
}

const FAMILIES = [
  [MediaType.ociManifest, 'oci'],
  [MediaType.ociIndex, 'oci'],
  [MediaType.dockerManifest, 'docker'],
  [MediaType.dockerManifestList, 'docker'],
  ['application/vnd.docker.distribution.manifest.v1+prettyjws', 'docker'],
] as const;

const EXPECTED = {
  oci: {
    manifest: MediaType.ociManifest,
    config: 'application/vnd.oci.image.config.v1+json',
    layer: 'application/vnd.oci.image.layer.v1.tar',
  },
  docker: {
    manifest: MediaType.dockerManifest,
    config: 'application/vnd.docker.container.image.v1+json',
    layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  },
};

describe('buildPlaceholder (issue 21)', () => {
  for (const [original, family] of FAMILIES) {
    it(`an original of ${original} gets a ${family} image manifest, whatever it was (index too)`, () => {
      const { placeholder, shape, blob } = read('dev-1', original);
      const expected = EXPECTED[family];
      assert.equal(placeholder.manifest.mediaType, expected.manifest);
      assert.equal(shape.mediaType, expected.manifest);
      assert.equal(shape.schemaVersion, 2);
      assert.equal(shape.config.mediaType, expected.config);
      assert.equal(shape.layers.length, 1, 'one layer: some registries refuse an image without');
      assert.equal(shape.layers[0]?.mediaType, expected.layer);
      // What the PUT's Content-Type says agrees with the body (a registry checks it).
      const parsed = parseManifest(Buffer.from(placeholder.manifest.bytes), expected.manifest);
      assert.equal(parsed.digest, placeholder.manifest.digest);
      for (const entry of [shape.config, ...shape.layers]) {
        const bytes = blob(entry.digest)?.bytes;
        assert.ok(bytes !== undefined, `${entry.digest} is uploaded before the manifest`);
        assert.equal(entry.size, bytes.length);
        assert.equal(digestOf(Buffer.from(bytes)), entry.digest);
      }
    });
  }

  it('the manifest digest is the sha256 of its bytes', () => {
    const { placeholder } = read('dev-1', MediaType.ociManifest);
    assert.equal(placeholder.manifest.digest, digestOf(Buffer.from(placeholder.manifest.bytes)));
  });

  it('the layer is the same two bytes for every placeholder (uploaded once per repository)', () => {
    const [first, second] = ['dev-1', 'dev-2'].map(
      (tag) => read(tag, MediaType.dockerManifest).shape.layers,
    );
    assert.equal(first?.[0]?.size, 2);
    assert.equal(first[0].digest, second?.[0]?.digest);
    const { placeholder, shape } = read('dev-1', MediaType.dockerManifest);
    assert.deepEqual(
      placeholder.blobs.map((b) => b.digest),
      [shape.layers[0]?.digest, shape.config.digest],
    );
  });

  it('its config labels name the tag, the time and a random id', () => {
    const { config } = read('release-1.2', MediaType.ociManifest);
    const labels = config.config.Labels;
    assert.equal(labels[PLACEHOLDER_LABEL], 'release-1.2');
    assert.equal(labels['org.reg-cleaner.placed-at'], AT.toISOString());
    assert.match(labels['org.reg-cleaner.placeholder-id'] ?? '', /^[0-9a-f]{16}$/);
    assert.equal(config.created, AT.toISOString());
    assert.equal(config.rootfs.diff_ids.length, 1);
  });

  it('no two placeholders share a digest, even for the same tag at the same time', () => {
    const digests = new Set(
      Array.from({ length: 50 }, () => buildPlaceholder('dev-1', MediaType.ociManifest, AT)).map(
        (p) => p.manifest.digest,
      ),
    );
    assert.equal(digests.size, 50);
  });
});
