import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redact, redactField, redactUrl } from '../../../src/adapters/shared/secrets/redact.js';

const basic = Buffer.from('alice:s3cret-pass').toString('base64');

describe('redact', () => {
  const cases: readonly (readonly [string, string])[] = [
    [`Authorization: Basic ${basic}`, 'Authorization: ***'],
    [
      'authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
      'authorization: ***',
    ],
    ['{"Authorization":"Bearer abc.def.ghi","x":1}', '{"Authorization":"***","x":1}'],
    ['Proxy-Authorization: Basic Ym9iOnB3', 'Proxy-Authorization: ***'],
    ['retrying with Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig now', 'retrying with Bearer *** now'],
    [`sent Basic ${basic} to the registry`, 'sent Basic *** to the registry'],
    ['GET /token?scope=x&password=hunter2&service=y', 'GET /token?scope=x&password=***&service=y'],
    ['token=abc.def&next=1', 'token=***&next=1'],
    [
      '{"token":"abc","access_token": "xyz","expires_in":300}',
      '{"token":"***","access_token": "***","expires_in":300}',
    ],
    [
      'proxy https://bob:proxy-secret@proxy.example.com:3128 refused',
      'proxy https://***@proxy.example.com:3128 refused',
    ],
    ['pulling from http://user@registry.local/v2/', 'pulling from http://***@registry.local/v2/'],
  ];
  for (const [input, expected] of cases) {
    it(`masks ${input}`, () => {
      assert.equal(redact(input), expected);
    });
  }

  it('keeps what is not a secret readable', () => {
    for (const text of [
      'Bearer realm="https://auth.example.com/token",service="registry",scope="repository:app:pull"',
      'requesting a Bearer token from the auth service',
      'Basic auth refused for user alice',
      'deleted team/app@sha256:0123abcd (tags dev-1, dev-2)',
      'https://registry.example.com/v2/team/app/tags/list?n=100',
    ]) {
      assert.equal(redact(text), text);
    }
  });
});

describe('redactUrl and redactField', () => {
  it('masks the userinfo of a URL', () => {
    assert.equal(redactUrl('http://bob:pw@proxy:3128'), 'http://***@proxy:3128/');
    assert.equal(redactUrl('http://proxy:3128'), 'http://proxy:3128');
    assert.equal(redactUrl('not a url with password=x'), 'not a url with password=***');
  });

  it('masks a secret-named field whatever its value, and redacts the others', () => {
    assert.equal(redactField('password', 'hunter2'), '***');
    assert.equal(redactField('authorization', 'Bearer x'), '***');
    assert.equal(redactField('proxyToken', 12345), '***');
    assert.equal(redactField('tokenExpiresIn', 300), 300);
    assert.equal(redactField('url', 'https://a:b@host/v2/'), 'https://***@host/v2/');
    assert.equal(redactField('status', 202), 202);
    assert.equal(redactField('anything', undefined), undefined);
  });
});
