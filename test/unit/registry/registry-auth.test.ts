import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryError } from '../../../src/application/ports/registry.port.js';
import { RegistryAuth } from '../../../src/adapters/registry/auth/registry-auth.js';
import type {
  HttpSender,
  RegistryRequest,
  RegistryResponse,
} from '../../../src/adapters/registry/transport/registry-http-client.js';

const BASE = 'https://registry.test';
const REALM = 'https://auth.test/token';
const CREDENTIALS = { username: 'robot', password: 'pa55word' };
const BEARER_CHALLENGE = `Bearer realm="${REALM}",service="registry.test"`;

function reply(
  status: number,
  body: unknown = {},
  headers: Record<string, string> = {},
): RegistryResponse {
  return { status, headers, body: Buffer.from(JSON.stringify(body)), url: '' };
}

/** A scripted transport: `route` answers each request; every request is recorded. */
class StubSender implements HttpSender {
  readonly requests: RegistryRequest[] = [];
  constructor(
    private readonly route: (
      request: RegistryRequest,
      sender: StubSender,
    ) => RegistryResponse | Promise<RegistryResponse>,
  ) {}

  async send(request: RegistryRequest): Promise<RegistryResponse> {
    this.requests.push(request);
    await Promise.resolve();
    return this.route(request, this);
  }

  of(kind: RegistryRequest['kind']): RegistryRequest[] {
    return this.requests.filter((request) => request.kind === kind);
  }
}

function tokenScopes(request: RegistryRequest): string[] {
  return new URL(request.url).searchParams.getAll('scope');
}

/** A registry with a token server that issues `t<n>` tokens and accepts only the latest per scope set. */
function bearerRegistry(
  options: { expiresIn?: number; field?: 'token' | 'access_token'; refuseAll?: boolean } = {},
): StubSender {
  let issued = 0;
  const valid = new Set<string>();
  return new StubSender((request) => {
    if (request.kind === 'probe') return reply(401, {}, { 'www-authenticate': BEARER_CHALLENGE });
    if (request.kind === 'token') {
      issued += 1;
      const token = `t${issued}`;
      valid.add(token);
      return reply(200, {
        [options.field ?? 'token']: token,
        ...(options.expiresIn === undefined ? {} : { expires_in: options.expiresIn }),
      });
    }
    const authorization = request.headers?.['Authorization'];
    if (
      options.refuseAll !== true &&
      authorization !== undefined &&
      valid.has(authorization.replace('Bearer ', ''))
    ) {
      return reply(200);
    }
    return reply(
      401,
      {},
      {
        'www-authenticate': `${BEARER_CHALLENGE},scope="repository:team/app:delete",error="insufficient_scope"`,
      },
    );
  });
}

function clock(start = Date.parse('2025-01-01T00:00:00Z')): {
  now: () => Date;
  advance: (ms: number) => void;
} {
  let time = start;
  return {
    now: () => new Date(time),
    advance: (ms) => {
      time += ms;
    },
  };
}

const TAGS: RegistryRequest = { kind: 'tags', method: 'GET', url: `${BASE}/v2/team/app/tags/list` };

describe('RegistryAuth probe', () => {
  it('probes GET /v2/ once for any number of concurrent requests', async () => {
    const sender = new StubSender((request) =>
      request.kind === 'probe' ? reply(200) : reply(200),
    );
    const auth = new RegistryAuth(sender, BASE, undefined, () => new Date());
    await Promise.all([auth.send(TAGS, 's'), auth.send(TAGS, 's'), auth.send(TAGS, 's')]);
    assert.equal(sender.of('probe').length, 1);
    assert.equal(sender.of('probe')[0]?.url, `${BASE}/v2/`);
    assert.equal(sender.of('tags')[0]?.headers?.['Authorization'], undefined);
  });

  it('forgets a failed probe so that a later request probes again', async () => {
    let calls = 0;
    const sender = new StubSender((request) => {
      if (request.kind === 'probe') {
        calls += 1;
        if (calls === 1) throw new RegistryError('unavailable', 'down');
      }
      return reply(200);
    });
    const auth = new RegistryAuth(sender, BASE, undefined, () => new Date());
    await assert.rejects(auth.send(TAGS, 's'), /down/);
    assert.equal((await auth.send(TAGS, 's')).status, 200);
    assert.equal(sender.of('probe').length, 2);
  });

  it('calls a 404 on /v2/ "no Registry API v2" and a challenge-less 401 an auth error', async () => {
    const notFound = new RegistryAuth(
      new StubSender(() => reply(404)),
      BASE,
      undefined,
      () => new Date(),
    );
    await assert.rejects(
      notFound.mode(),
      (error: unknown) =>
        error instanceof RegistryError && /no Registry API v2/.test(error.message),
    );
    const bare = new RegistryAuth(
      new StubSender(() => reply(401)),
      BASE,
      CREDENTIALS,
      () => new Date(),
    );
    await assert.rejects(
      bare.mode(),
      (error: unknown) => error instanceof RegistryError && error.kind === 'auth',
    );
  });
});

describe('RegistryAuth Basic', () => {
  it('sends credentials only after the probe asked for Basic, then on every request', async () => {
    const sender = new StubSender((request) =>
      request.headers?.['Authorization'] === undefined
        ? reply(401, {}, { 'www-authenticate': 'Basic realm="Registry Realm"' })
        : reply(200),
    );
    const auth = new RegistryAuth(sender, BASE, CREDENTIALS, () => new Date());
    assert.equal((await auth.send(TAGS, 's')).status, 200);
    const probe = sender.requests[0];
    assert.ok(probe);
    assert.equal(probe.kind, 'probe');
    assert.equal(probe.headers, undefined);
    assert.equal(
      sender.requests[1]?.headers?.['Authorization'],
      `Basic ${Buffer.from('robot:pa55word').toString('base64')}`,
    );
    assert.equal(sender.requests.length, 2);
  });

  it('refuses to go on without credentials when the registry wants Basic', async () => {
    const sender = new StubSender(() => reply(401, {}, { 'www-authenticate': 'Basic realm="x"' }));
    const auth = new RegistryAuth(sender, BASE, undefined, () => new Date());
    await assert.rejects(
      auth.send(TAGS, 's'),
      (error: unknown) =>
        error instanceof RegistryError &&
        error.kind === 'auth' &&
        /username and password/.test(error.message),
    );
  });

  it('says the credentials were refused, naming the user, when Basic gets a 401 (no second try with the same)', async () => {
    const sender = new StubSender(() => reply(401, {}, { 'www-authenticate': 'Basic realm="x"' }));
    const auth = new RegistryAuth(sender, BASE, CREDENTIALS, () => new Date());
    await assert.rejects(auth.send(TAGS, 's'), (error: unknown) => {
      assert.ok(error instanceof RegistryError);
      assert.equal(error.kind, 'auth');
      assert.match(error.message, /refused the credentials for user "robot" \(401\)/);
      assert.ok(!error.message.includes(CREDENTIALS.password));
      return true;
    });
    assert.equal(sender.of('tags').length, 1);
  });
});

describe('RegistryAuth Bearer', () => {
  it('asks the realm for one token per scope, with Basic credentials, and caches it', async () => {
    const sender = bearerRegistry();
    const auth = new RegistryAuth(sender, BASE, CREDENTIALS, () => new Date());
    await auth.send(TAGS, 'repository:team/app:pull');
    await auth.send(TAGS, 'repository:team/app:pull');
    await auth.send(TAGS, 'repository:team/app:pull,delete');
    const tokens = sender.of('token');
    assert.deepEqual(tokens.map(tokenScopes), [
      ['repository:team/app:pull'],
      ['repository:team/app:pull,delete'],
    ]);
    assert.equal(new URL(tokens[0]?.url ?? '').searchParams.get('service'), 'registry.test');
    assert.equal(
      new URL(tokens[0]?.url ?? '').origin + new URL(tokens[0]?.url ?? '').pathname,
      REALM,
    );
    assert.match(tokens[0]?.headers?.['Authorization'] ?? '', /^Basic /);
    assert.deepEqual(
      sender.of('tags').map((request) => request.headers?.['Authorization']),
      ['Bearer t1', 'Bearer t1', 'Bearer t2'],
    );
  });

  it('asks anonymously without credentials and reads access_token', async () => {
    const sender = bearerRegistry({ field: 'access_token' });
    const auth = new RegistryAuth(sender, BASE, undefined, () => new Date());
    assert.equal((await auth.send(TAGS, 'repository:team/app:pull')).status, 200);
    assert.equal(sender.of('token')[0]?.headers?.['Authorization'], undefined);
  });

  it('shares one token request among concurrent requests for a scope', async () => {
    const sender = bearerRegistry();
    const auth = new RegistryAuth(sender, BASE, CREDENTIALS, () => new Date());
    await Promise.all(
      Array.from({ length: 10 }, () => auth.send(TAGS, 'repository:team/app:pull')),
    );
    assert.equal(sender.of('token').length, 1);
    assert.equal(sender.of('probe').length, 1);
  });

  it('renews a token before expires_in runs out (60 s by default)', async () => {
    const time = clock();
    const sender = bearerRegistry();
    const auth = new RegistryAuth(sender, BASE, CREDENTIALS, time.now);
    await auth.send(TAGS, 'scope-a');
    time.advance(40_000);
    await auth.send(TAGS, 'scope-a');
    assert.equal(sender.of('token').length, 1);
    time.advance(10_000); // 50 s: inside the safety margin of a 60 s token
    await auth.send(TAGS, 'scope-a');
    assert.equal(sender.of('token').length, 2);
  });

  it('honours a longer expires_in', async () => {
    const time = clock();
    const sender = bearerRegistry({ expiresIn: 600 });
    const auth = new RegistryAuth(sender, BASE, CREDENTIALS, time.now);
    await auth.send(TAGS, 'scope-a');
    time.advance(500_000);
    await auth.send(TAGS, 'scope-a');
    assert.equal(sender.of('token').length, 1);
    time.advance(90_000);
    await auth.send(TAGS, 'scope-a');
    assert.equal(sender.of('token').length, 2);
  });

  it('re-authenticates once on a 401 from the new challenge, then gives the 401 back', async () => {
    const sender = bearerRegistry({ refuseAll: true });
    const auth = new RegistryAuth(sender, BASE, CREDENTIALS, () => new Date());
    const response = await auth.send(TAGS, 'repository:team/app:pull,delete');
    assert.equal(response.status, 401);
    assert.equal(sender.of('tags').length, 2);
    assert.deepEqual(sender.of('token').map(tokenScopes), [
      ['repository:team/app:pull,delete'],
      ['repository:team/app:pull,delete', 'repository:team/app:delete'],
    ]);
  });

  it('replaces a token the registry stopped accepting, for later requests too', async () => {
    let revoked = false;
    let issued = 0;
    const sender = new StubSender((request) => {
      if (request.kind === 'probe') return reply(401, {}, { 'www-authenticate': BEARER_CHALLENGE });
      if (request.kind === 'token') return reply(200, { token: `t${++issued}` });
      const ok = request.headers?.['Authorization'] === (revoked ? 'Bearer t2' : 'Bearer t1');
      return ok ? reply(200) : reply(401, {}, { 'www-authenticate': BEARER_CHALLENGE });
    });
    const auth = new RegistryAuth(sender, BASE, CREDENTIALS, () => new Date());
    await auth.send(TAGS, 's');
    revoked = true;
    assert.equal((await auth.send(TAGS, 's')).status, 200);
    assert.equal((await auth.send(TAGS, 's')).status, 200);
    assert.equal(sender.of('token').length, 2);
    assert.deepEqual(
      sender.of('tags').map((request) => request.headers?.['Authorization']),
      ['Bearer t1', 'Bearer t1', 'Bearer t2', 'Bearer t2'],
    );
  });

  it('turns a refused token request into an auth error that names no secret', async () => {
    const sender = new StubSender((request) =>
      request.kind === 'probe'
        ? reply(401, {}, { 'www-authenticate': BEARER_CHALLENGE })
        : reply(401, { details: 'bad' }),
    );
    const auth = new RegistryAuth(sender, BASE, CREDENTIALS, () => new Date());
    await assert.rejects(auth.send(TAGS, 's'), (error: unknown) => {
      assert.ok(error instanceof RegistryError);
      assert.equal(error.kind, 'auth');
      assert.match(error.message, /token server .* refused the credentials for user/);
      assert.doesNotMatch(error.message, /pa55word|cm9ib3Q/);
      return true;
    });
  });

  it('refuses a token reply without a token', async () => {
    const sender = new StubSender((request) =>
      request.kind === 'probe'
        ? reply(401, {}, { 'www-authenticate': BEARER_CHALLENGE })
        : reply(200, { expires_in: 60 }),
    );
    const auth = new RegistryAuth(sender, BASE, CREDENTIALS, () => new Date());
    await assert.rejects(
      auth.send(TAGS, 's'),
      (error: unknown) => error instanceof RegistryError && error.kind === 'invalid-response',
    );
  });
});
