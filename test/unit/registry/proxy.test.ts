import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isProxyBypassed,
  isProxyCredentialsRefusal,
  normaliseProxyUrl,
  noProxyFrom,
} from '../../../src/adapters/registry/transport/proxy.js';

const bypassed = (url: string, noProxy: string | undefined): boolean =>
  isProxyBypassed(new URL(url), noProxy);

describe('NO_PROXY', () => {
  it('matches hosts and their subdomains, with or without a leading dot or *.', () => {
    assert.ok(bypassed('https://registry.example.com/v2/', 'example.com'));
    assert.ok(bypassed('https://example.com/v2/', 'example.com'));
    assert.ok(bypassed('https://registry.example.com/v2/', '.example.com'));
    assert.ok(bypassed('https://registry.example.com/v2/', '*.example.com'));
    assert.ok(!bypassed('https://badexample.com/v2/', 'example.com'));
    assert.ok(!bypassed('https://registry.example.org/v2/', 'example.com'));
  });

  it('handles lists, spaces, case, ports, IPs and *', () => {
    assert.ok(bypassed('http://127.0.0.1:5000/v2/', 'localhost, 127.0.0.1'));
    assert.ok(bypassed('https://Registry.Example.com/v2/', 'foo.org,EXAMPLE.com'));
    assert.ok(bypassed('http://reg.local:5000/v2/', 'reg.local:5000'));
    assert.ok(!bypassed('http://reg.local:5001/v2/', 'reg.local:5000'));
    assert.ok(bypassed('https://reg.local/v2/', 'reg.local:443'));
    assert.ok(bypassed('http://[::1]:5000/v2/', '::1'));
    assert.ok(bypassed('https://anything.example/v2/', '*'));
    assert.ok(!bypassed('https://anything.example/v2/', ''));
    assert.ok(!bypassed('https://anything.example/v2/', undefined));
  });

  it('reads NO_PROXY before no_proxy', () => {
    assert.equal(noProxyFrom({ NO_PROXY: 'a', no_proxy: 'b' }), 'a');
    assert.equal(noProxyFrom({ no_proxy: 'b' }), 'b');
    assert.equal(noProxyFrom({}), undefined);
  });

  it('adds http:// to a proxy without a scheme', () => {
    assert.equal(normaliseProxyUrl('proxy:3128'), 'http://proxy:3128');
    assert.equal(normaliseProxyUrl('https://u:p@proxy:3128'), 'https://u:p@proxy:3128');
  });
});

describe('a proxy refusing its own credentials with 401 (tinyproxy 1.11)', () => {
  // What Debian's tinyproxy 1.11.1 answers to a wrong Proxy-Authorization, plain HTTP or CONNECT.
  const tinyproxy = {
    server: 'tinyproxy/1.11.1',
    'content-type': 'text/html',
    'www-authenticate': 'Basic realm="Tinyproxy"',
    connection: 'close',
  };

  it('is the proxy, not the registry', () => {
    assert.equal(isProxyCredentialsRefusal(401, tinyproxy), true);
  });

  it("a registry's own 401, forwarded by tinyproxy or answered by a registry, is the registry's", () => {
    assert.equal(
      isProxyCredentialsRefusal(401, {
        ...tinyproxy,
        'docker-distribution-api-version': 'registry/2.0',
      }),
      false,
    );
    assert.equal(
      isProxyCredentialsRefusal(401, { 'www-authenticate': 'Basic realm="Registry Realm"' }),
      false,
    );
    assert.equal(isProxyCredentialsRefusal(403, tinyproxy), false);
  });
});
