import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from '../../../src/application/ports/registry.port.js';
import { nextPageUrl, parseLinkHeader } from '../../../src/adapters/registry/link-header.js';

const PAGE = 'https://registry.example.com:5000/v2/_catalog?n=2';

describe('Link header', () => {
  it("resolves distribution's relative next link against the page URL", () => {
    assert.equal(
      nextPageUrl('</v2/_catalog?last=b&n=2>; rel="next"', PAGE),
      'https://registry.example.com:5000/v2/_catalog?last=b&n=2',
    );
  });

  it('accepts an absolute next link to the same origin, and unquoted rel', () => {
    assert.equal(
      nextPageUrl(
        '<https://registry.example.com:5000/v2/team/app/tags/list?last=9&n=2>; rel=next',
        PAGE,
      ),
      'https://registry.example.com:5000/v2/team/app/tags/list?last=9&n=2',
    );
  });

  it('picks next among several links and rel lists', () => {
    const header =
      '</v2/_catalog?last=a>; rel="prev", </v2/_catalog?last=z>; title="x, y"; rel="last next"';
    assert.equal(nextPageUrl(header, PAGE), 'https://registry.example.com:5000/v2/_catalog?last=z');
    assert.deepEqual(
      parseLinkHeader(header).map((link) => link.rels),
      [['prev'], ['last', 'next']],
    );
  });

  it('ends pagination without a header or without rel="next"', () => {
    assert.equal(nextPageUrl(undefined, PAGE), undefined);
    assert.equal(nextPageUrl('', PAGE), undefined);
    assert.equal(nextPageUrl('</v2/_catalog?last=a>; rel="prev"', PAGE), undefined);
  });

  for (const target of [
    'https://evil.example.net/v2/_catalog?last=b',
    'http://registry.example.com:5000/v2/_catalog?last=b',
    'https://registry.example.com:5001/v2/_catalog?last=b',
    '//evil.example.net/v2/_catalog',
  ]) {
    it(`refuses a next link to another origin: ${target}`, () => {
      assert.throws(
        () => nextPageUrl(`<${target}>; rel="next"`, PAGE),
        (error: unknown) =>
          error instanceof RegistryError &&
          error.kind === 'invalid-response' &&
          /another host/.test(error.message),
      );
    });
  }
});
