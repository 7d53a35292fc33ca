import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  findChallenge,
  parseWwwAuthenticate,
} from '../../../src/adapters/registry/auth/www-authenticate.js';

function params(header: string, scheme: string): Record<string, string> {
  const challenge = findChallenge(parseWwwAuthenticate(header), scheme);
  assert.ok(challenge, `no ${scheme} challenge in ${header}`);
  return Object.fromEntries(challenge.params);
}

describe('parseWwwAuthenticate', () => {
  it('reads a distribution Bearer challenge whose quoted scope holds a comma', () => {
    const header =
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/app:pull,delete"';
    assert.deepEqual(params(header, 'bearer'), {
      realm: 'https://auth.example.com/token',
      service: 'registry.example.com',
      scope: 'repository:team/app:pull,delete',
    });
  });

  it('reads Basic with its realm, case-insensitively', () => {
    assert.deepEqual(params('basic Realm="Registry Realm"', 'basic'), { realm: 'Registry Realm' });
  });

  it('separates several challenges in one header', () => {
    const challenges = parseWwwAuthenticate(
      'Basic realm="x, y", Bearer realm="https://a/token", service=reg',
    );
    assert.deepEqual(
      challenges.map((challenge) => challenge.scheme),
      ['basic', 'bearer'],
    );
    assert.deepEqual(
      params('Basic realm="x, y", Bearer realm="https://a/token", service=reg', 'bearer'),
      {
        realm: 'https://a/token',
        service: 'reg',
      },
    );
  });

  it('unescapes quoted pairs and tolerates spaces around =', () => {
    assert.deepEqual(
      params('Bearer realm = "a \\"b\\" c" , error="insufficient_scope"', 'bearer'),
      {
        realm: 'a "b" c',
        error: 'insufficient_scope',
      },
    );
  });

  it('survives garbage and token68 without looping', () => {
    assert.deepEqual(parseWwwAuthenticate(''), []);
    assert.equal(parseWwwAuthenticate('Negotiate abc==').length, 1);
    assert.equal(parseWwwAuthenticate('="=,,"').length, 0);
  });
});
