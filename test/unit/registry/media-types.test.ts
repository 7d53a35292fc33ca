import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  baseMediaType,
  isImageMediaType,
  isIndexMediaType,
  MANIFEST_ACCEPT,
} from '../../../src/adapters/registry/manifests/media-types.js';

describe('media types', () => {
  it('accepts all four manifest types, indexes included (else the registry may convert a list)', () => {
    assert.deepEqual(
      MANIFEST_ACCEPT.split(',')
        .map((type) => type.trim())
        .sort(),
      [
        'application/vnd.docker.distribution.manifest.list.v2+json',
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.oci.image.manifest.v1+json',
      ],
    );
  });

  it('classifies index and image types', () => {
    assert.ok(isIndexMediaType('application/vnd.oci.image.index.v1+json'));
    assert.ok(isIndexMediaType('application/vnd.docker.distribution.manifest.list.v2+json'));
    assert.ok(isImageMediaType('application/vnd.docker.distribution.manifest.v2+json'));
    assert.ok(!isImageMediaType('application/vnd.docker.distribution.manifest.v1+prettyjws'));
    assert.ok(!isIndexMediaType(undefined));
  });

  it('strips parameters from a Content-Type', () => {
    assert.equal(baseMediaType('Application/JSON; charset=utf-8'), 'application/json');
    assert.equal(baseMediaType(''), undefined);
    assert.equal(baseMediaType(undefined), undefined);
  });
});
