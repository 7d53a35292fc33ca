import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryError } from '../../../src/application/ports/registry.port.js';
import { askCredentialHelper } from '../../../src/adapters/registry/auth/credential-helper.js';
import { HelperLogin, loginSourceOf } from '../../../src/adapters/registry/auth/login.js';
import { RegistryAuth } from '../../../src/adapters/registry/auth/registry-auth.js';
import type {
  HttpSender,
  RegistryRequest,
  RegistryResponse,
} from '../../../src/adapters/registry/transport/registry-http-client.js';
import { installHelper } from '../../support/credential-helpers.js';

const SERVER = '127.0.0.1:5000';
const LEAK = 'S3cretThatMustNotShow';

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RegistryError, String(error));
    return error;
  }
  assert.fail('expected a rejection');
}

describe('credential helpers (docker-credential-helpers protocol)', () => {
  let bin = '';
  const options = (): { timeoutMs: number; env: NodeJS.ProcessEnv } => ({
    timeoutMs: 5_000,
    env: { PATH: bin },
  });

  before(async () => {
    bin = await mkdtemp(join(tmpdir(), 'reg-cleaner-helpers-'));
  });
  after(async () => {
    await rm(bin, { recursive: true, force: true });
  });

  it('runs `docker-credential-<name> get` with the server on stdin and reads {Username, Secret}', async () => {
    const helper = await installHelper(bin, 'found', [
      { kind: 'found', username: 'robot', secret: LEAK },
    ]);
    const answer = await askCredentialHelper('found', SERVER, options());
    assert.deepEqual(answer, { kind: 'found', username: 'robot', secret: LEAK });
    assert.deepEqual(await helper.asked(), [{ args: ['get'], server: SERVER }]);
  });

  it('"credentials not found" means anonymous', async () => {
    await installHelper(bin, 'empty', [{ kind: 'not-found' }]);
    assert.deepEqual(await askCredentialHelper('empty', SERVER, options()), { kind: 'not-found' });
  });

  it('a helper that fails, hangs or is missing: an error naming the helper, never its output', async () => {
    await installHelper(bin, 'broken', [{ kind: 'fail', leak: LEAK }]);
    const failed = await rejection(askCredentialHelper('broken', SERVER, options()));
    assert.match(failed.message, /docker-credential-broken failed \(exit code 3\)/);
    assert.ok(!failed.message.includes(LEAK));

    await installHelper(bin, 'stuck', [{ kind: 'hang' }]);
    const hung = await rejection(
      askCredentialHelper('stuck', SERVER, { ...options(), timeoutMs: 300 }),
    );
    assert.match(hung.message, /docker-credential-stuck did not answer within/);

    const missing = await rejection(askCredentialHelper('absent', SERVER, options()));
    assert.match(missing.message, /docker-credential-absent was not found on PATH/);
  });

  it('refuses a name that is not plain, without running anything', async () => {
    for (const name of ['../../bin/sh', '/bin/sh', 'a b']) {
      const refused = await rejection(askCredentialHelper(name, SERVER, options()));
      assert.match(refused.message, /is not a plain name/);
    }
  });

  it('HelperLogin asks once per process, `<token>` is an identity token, renew asks once more', async () => {
    const helper = await installHelper(bin, 'minting', [
      { kind: 'found', username: '<token>', secret: 'refresh-1' },
      { kind: 'found', username: '<token>', secret: 'refresh-2' },
    ]);
    const login = new HelperLogin(
      'minting',
      SERVER,
      'docker config: credHelpers -> minting',
      (h, s) => askCredentialHelper(h, s, options()),
    );
    const [a, b] = await Promise.all([login.current(), login.current()]);
    assert.deepEqual(a, { kind: 'identity-token', token: 'refresh-1' });
    assert.deepEqual(b, a);
    assert.deepEqual(await login.renew(), { kind: 'identity-token', token: 'refresh-2' });
    assert.equal(await login.renew(), undefined, 'renewed once per process');
    assert.equal((await helper.asked()).length, 2);
  });
});

/** A token registry whose realm takes the OAuth2 refresh_token grant for `refresh`. */
class OAuthRegistry implements HttpSender {
  readonly requests: RegistryRequest[] = [];
  constructor(private readonly refresh: string) {}

  send(request: RegistryRequest): Promise<RegistryResponse> {
    this.requests.push(request);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      Promise.resolve({ status, headers, body: Buffer.from(JSON.stringify(body)), url: '' });
    if (request.kind === 'probe') {
      return reply(
        401,
        {},
        { 'www-authenticate': 'Bearer realm="https://auth.test/token",service="reg"' },
      );
    }
    if (request.kind === 'token') {
      const form = new URLSearchParams(Buffer.from(request.body ?? []).toString('utf8'));
      const ok =
        request.method === 'POST' &&
        form.get('grant_type') === 'refresh_token' &&
        form.get('refresh_token') === this.refresh;
      return ok ? reply(200, { access_token: 'access-1', expires_in: 300 }) : reply(401, {});
    }
    return request.headers?.['Authorization'] === 'Bearer access-1'
      ? reply(200, {})
      : reply(401, {});
  }
}

describe('identity tokens and registry tokens (issue 23)', () => {
  const tags: RegistryRequest = {
    kind: 'tags',
    method: 'GET',
    url: 'https://registry.test/v2/team/app/tags/list',
  };

  it('an identity token is sent in an OAuth2 refresh_token grant (POST, form, client_id=reg-cleaner)', async () => {
    const http = new OAuthRegistry('refresh-me');
    const login = loginSourceOf(
      { dockerLogin: { kind: 'identity-token', token: 'refresh-me' }, credentialsFrom: 'docker' },
      () => Promise.reject(new Error('no helper')),
    );
    const auth = new RegistryAuth(http, 'https://registry.test', login, () => new Date());
    const response = await auth.send(tags, 'repository:team/app:pull');
    assert.equal(response.status, 200);
    const token = http.requests.find((request) => request.kind === 'token');
    assert.ok(token !== undefined);
    assert.equal(token.method, 'POST');
    assert.equal(token.url, 'https://auth.test/token');
    assert.equal(token.headers?.['Content-Type'], 'application/x-www-form-urlencoded');
    const form = new URLSearchParams(Buffer.from(token.body ?? []).toString('utf8'));
    assert.deepEqual(Object.fromEntries(form), {
      grant_type: 'refresh_token',
      refresh_token: 'refresh-me',
      service: 'reg',
      client_id: 'reg-cleaner',
      scope: 'repository:team/app:pull',
    });
  });

  it('a refused identity token: an auth error naming where it came from, not the token', async () => {
    const http = new OAuthRegistry('another');
    const login = loginSourceOf(
      {
        dockerLogin: { kind: 'identity-token', token: 'stale-refresh' },
        credentialsFrom: 'docker config X',
      },
      () => Promise.reject(new Error('no helper')),
    );
    const auth = new RegistryAuth(http, 'https://registry.test', login, () => new Date());
    const refused = await rejection(auth.send(tags, 'repository:team/app:pull'));
    assert.equal(refused.kind, 'auth');
    assert.match(refused.message, /refused the identity token from docker config X/);
    assert.ok(!refused.message.includes('stale-refresh'));
  });

  it('a registry token is the bearer token itself: no token request', async () => {
    const http = new OAuthRegistry('unused');
    const login = loginSourceOf(
      { dockerLogin: { kind: 'registry-token', token: 'access-1' }, credentialsFrom: 'docker' },
      () => Promise.reject(new Error('no helper')),
    );
    const auth = new RegistryAuth(http, 'https://registry.test', login, () => new Date());
    assert.equal((await auth.send(tags, 'repository:team/app:pull')).status, 200);
    assert.equal(http.requests.filter((request) => request.kind === 'token').length, 0);
  });

  it("a helper's token that expires mid-run: the 401 after success asks the helper again, once", async () => {
    let accepted = 'pw-1';
    const asked: string[] = [];
    const answers = ['pw-1', 'pw-2', 'pw-3'];
    const http: HttpSender = {
      send: (request) => {
        const reply = (
          status: number,
          headers: Record<string, string> = {},
        ): Promise<RegistryResponse> =>
          Promise.resolve({ status, headers, body: Buffer.from('{}'), url: '' });
        const challenge = { 'www-authenticate': 'Basic realm="r"' };
        if (request.kind === 'probe') return reply(401, challenge);
        const sent = request.headers?.['Authorization'] ?? '';
        const password = Buffer.from(sent.replace('Basic ', ''), 'base64').toString().split(':')[1];
        return password === accepted ? reply(200) : reply(401, challenge);
      },
    };
    const login = loginSourceOf(
      { dockerLogin: { kind: 'helper', helper: 'ecr', server: SERVER }, credentialsFrom: 'helper' },
      () => {
        const secret = answers[asked.length] ?? 'none';
        asked.push(secret);
        return Promise.resolve({ kind: 'found', username: 'AWS', secret });
      },
    );
    const auth = new RegistryAuth(http, 'https://registry.test', login, () => new Date());
    assert.equal((await auth.send(tags, 'repository:team/app:pull')).status, 200);
    accepted = 'pw-2'; // the first password expired
    assert.equal((await auth.send(tags, 'repository:team/app:pull')).status, 200);
    assert.deepEqual(asked, ['pw-1', 'pw-2']);
    accepted = 'pw-9'; // and the second: asked once per process only, then refused
    await rejection(auth.send(tags, 'repository:team/app:pull'));
    assert.deepEqual(asked, ['pw-1', 'pw-2']);
  });
});
