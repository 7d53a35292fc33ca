import { registryAdapter } from '../support/registry-adapter.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RegistryError } from '../../src/application/ports/registry.port.js';
import {
  HttpDockerRegistry,
  type HttpDockerRegistryOptions,
} from '../../src/adapters/registry/http-docker-registry.adapter.js';
import type { RegistrySettings } from '../../src/adapters/registry/registry-settings.js';
import { RecordingLogger } from '../fakes/recording-logger.js';
import { pushImage, pushIndex } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';

// HttpDockerRegistry against docker-registry with htpasswd (Basic) and token (Bearer) auth.

const OLD = new Date('2023-01-15T10:00:00Z');
const NEW = new Date('2024-06-01T12:00:00Z');

function credentialsOf(registry: RunningRegistry): RegistrySettings['credentials'] {
  assert.ok(registry.username !== undefined && registry.password !== undefined);
  return { username: registry.username, password: registry.password };
}

function adapterFor(
  registry: RunningRegistry,
  settings: Partial<RegistrySettings> = {},
  options: HttpDockerRegistryOptions = {},
): { adapter: HttpDockerRegistry; logger: RecordingLogger } {
  const logger = new RecordingLogger();
  const credentials = registry.username === undefined ? undefined : credentialsOf(registry);
  const adapter = registryAdapter(
    {
      url: registry.url,
      timeoutMs: 10_000,
      maxConcurrentRequests: 8,
      insecure: false,
      httpLogs: true,
      ...(credentials === undefined ? {} : { credentials }),
      ...settings,
    },
    logger,
    { sleep: () => Promise.resolve(), ...options },
  );
  return { adapter, logger };
}

function isAuthError(pattern: RegExp): (error: unknown) => boolean {
  return (error) =>
    error instanceof RegistryError && error.kind === 'auth' && pattern.test(error.message);
}

function assertNoSecret(text: string, registry: RunningRegistry): void {
  assert.ok(registry.password !== undefined && registry.password.length > 8);
  assert.ok(!text.includes(registry.password), 'the password leaked');
  assert.ok(
    !text.includes(
      Buffer.from(`${registry.username ?? ''}:${registry.password}`).toString('base64'),
    ),
  );
  assert.doesNotMatch(text, /Bearer\s|eyJ[\w-]+\./, 'a token leaked');
}

describe('HttpDockerRegistry with Basic auth', () => {
  let registry: RunningRegistry;
  let old: { digest: string };

  before(async () => {
    registry = await startRegistry({ auth: 'basic' });
    await pushImage(registry, 'team/app', ['new'], { created: NEW });
    old = await pushImage(registry, 'team/app', ['old'], { created: OLD });
  });
  after(async () => {
    await registry.stop();
  });

  it('probes anonymously once, then sends the credentials with every request', async () => {
    await registry.resetAccessLog();
    const { adapter, logger } = adapterFor(registry);
    try {
      assert.deepEqual([...(await adapter.listTags('team/app', 'delete'))].sort(), ['new', 'old']);
      const resolution = await adapter.inspectTag('team/app', 'old', 'delete');
      assert.ok(resolution.status === 'resolved');
      assert.equal(resolution.created.toISOString(), OLD.toISOString());
      assert.equal(await adapter.deleteManifest('team/app', old.digest), 'deleted');
      const log = await registry.accessLog();
      assert.deepEqual(
        log.map((entry) => `${entry.method} ${entry.status}`),
        ['GET 401', 'GET 200', 'GET 200', 'GET 200', 'DELETE 202'],
      );
      assertNoSecret(logger.text(), registry);
    } finally {
      adapter.close();
    }
  });

  it('throws auth (not a failed tag) when the password is wrong, without naming it', async () => {
    const { adapter, logger } = adapterFor(registry, {
      credentials: { username: registry.username ?? '', password: 'wrong-password-123' },
    });
    try {
      await assert.rejects(adapter.listTags('team/app', 'read'), isAuthError(/401/));
      await assert.rejects(adapter.inspectTag('team/app', 'new', 'read'), (error: unknown) => {
        assert.ok(error instanceof RegistryError && error.kind === 'auth');
        assert.doesNotMatch(error.message, /wrong-password-123/);
        return true;
      });
      assert.doesNotMatch(logger.text(), /wrong-password-123/);
    } finally {
      adapter.close();
    }
  });

  it('says that credentials are needed when none are configured', async () => {
    const adapter = registryAdapter(
      {
        url: registry.url,
        timeoutMs: 10_000,
        maxConcurrentRequests: 2,
        insecure: false,
        httpLogs: false,
      },
      new RecordingLogger(),
    );
    try {
      await assert.rejects(
        adapter.listTags('team/app', 'read'),
        isAuthError(/requires a username and password/),
      );
    } finally {
      adapter.close();
    }
  });
});

describe('HttpDockerRegistry with token auth', () => {
  let registry: RunningRegistry;
  let old: { digest: string };
  let index: { digest: string };

  before(async () => {
    registry = await startRegistry({ auth: 'token' });
    await pushImage(registry, 'team/app', ['new'], { created: NEW });
    old = await pushImage(registry, 'team/app', ['old'], { created: OLD });
    index = await pushIndex(
      registry,
      'team/app',
      ['multi'],
      [
        { created: OLD, arch: 'amd64' },
        { created: NEW, arch: 'arm64' },
      ],
    );
    await pushImage(registry, 'team/web', ['1'], { created: OLD });
  });
  after(async () => {
    await registry.stop();
  });

  /** Token requests made after `from` (the seeding made some with pull,push). */
  function tokenScopesSince(from: number): string[] {
    return registry
      .tokenRequests()
      .slice(from)
      .map((request) => request.scope);
  }

  it('a dry run (read access) asks for the pull scope only, once per repository', async () => {
    const from = registry.tokenRequests().length;
    const { adapter, logger } = adapterFor(registry);
    try {
      const tags = await adapter.listTags('team/app', 'read');
      const resolutions = await Promise.all(
        tags.map((tag) => adapter.inspectTag('team/app', tag, 'read')),
      );
      assert.ok(resolutions.every((resolution) => resolution.status === 'resolved'));
      const multi = resolutions[tags.indexOf('multi')];
      assert.ok(multi?.status === 'resolved');
      assert.equal(multi.digest, index.digest);
      assert.equal(multi.created.toISOString(), NEW.toISOString());
      await adapter.digestOf('team/app', 'new', 'read');
      assert.deepEqual(tokenScopesSince(from), ['repository:team/app:pull']);
      assert.ok(
        registry
          .tokenRequests()
          .slice(from)
          .every((request) => request.account === registry.username),
      );
      assert.equal(adapter.stats.count('token'), 1);
      assertNoSecret(logger.text(), registry);
    } finally {
      adapter.close();
    }
  });

  it('concurrent requests for a new scope share one token request', async () => {
    const from = registry.tokenRequests().length;
    const { adapter } = adapterFor(registry);
    try {
      await Promise.all([
        ...Array.from({ length: 6 }, () => adapter.listTags('team/web', 'read')),
        ...Array.from({ length: 6 }, () => adapter.inspectTag('team/web', '1', 'read')),
      ]);
      assert.deepEqual(tokenScopesSince(from), ['repository:team/web:pull']);
      assert.equal(adapter.stats.count('probe'), 1);
    } finally {
      adapter.close();
    }
  });

  it('a real run asks for pull,delete once and deletes with that token', async () => {
    const from = registry.tokenRequests().length;
    const { adapter, logger } = adapterFor(registry);
    try {
      await adapter.listTags('team/app', 'delete');
      const resolution = await adapter.inspectTag('team/app', 'old', 'delete');
      assert.ok(resolution.status === 'resolved');
      assert.equal(await adapter.deleteManifest('team/app', old.digest), 'deleted');
      assert.equal(await adapter.deleteManifest('team/app', old.digest), 'already-gone');
      assert.deepEqual(tokenScopesSince(from), ['repository:team/app:pull,delete']);
      assertNoSecret(logger.text(), registry);
    } finally {
      adapter.close();
    }
  });

  it('asks for registry:catalog:* to list the catalog', async () => {
    const from = registry.tokenRequests().length;
    const { adapter } = adapterFor(registry);
    try {
      assert.deepEqual([...(await adapter.listRepositories())].sort(), ['team/app', 'team/web']);
      assert.deepEqual(tokenScopesSince(from), ['registry:catalog:*']);
    } finally {
      adapter.close();
    }
  });

  it('renews a token once it expires', async () => {
    let now = Date.now();
    const from = registry.tokenRequests().length;
    const { adapter } = adapterFor(registry, {}, { now: () => new Date(now) });
    try {
      await adapter.listTags('team/app', 'read');
      await adapter.listTags('team/app', 'read');
      assert.equal(tokenScopesSince(from).length, 1);
      now += 10 * 60 * 1000; // the kit's tokens live 300 s
      await adapter.listTags('team/app', 'read');
      assert.deepEqual(tokenScopesSince(from), [
        'repository:team/app:pull',
        'repository:team/app:pull',
      ]);
    } finally {
      adapter.close();
    }
  });

  it('throws auth when the token server refuses the password', async () => {
    const { adapter, logger } = adapterFor(registry, {
      credentials: { username: registry.username ?? '', password: 'wrong-password-123' },
    });
    try {
      await assert.rejects(
        adapter.inspectTag('team/app', 'new', 'read'),
        isAuthError(/token server .* refused/),
      );
      assert.doesNotMatch(logger.text(), /wrong-password-123/);
    } finally {
      adapter.close();
    }
  });
});

describe('HttpDockerRegistry with a token that lacks delete', () => {
  it('re-authenticates once, then says the account lacks delete permission', async () => {
    const registry = await startRegistry({ auth: 'token', token: { grantDelete: false } });
    const { adapter } = adapterFor(registry);
    try {
      const old = await pushImage(registry, 'team/app', ['old'], { created: OLD });
      const from = registry.tokenRequests().length;
      await registry.resetAccessLog();
      await assert.rejects(adapter.deleteManifest('team/app', old.digest), (error: unknown) => {
        assert.ok(error instanceof RegistryError);
        assert.equal(error.kind, 'auth');
        assert.match(error.message, /lacks delete permission on team\/app/);
        return true;
      });
      const deletes = (await registry.accessLog()).filter((entry) => entry.method === 'DELETE');
      assert.deepEqual(
        deletes.map((entry) => entry.status),
        [401, 401],
      );
      assert.equal(registry.tokenRequests().length - from, 2);
      assert.deepEqual(await adapter.listTags('team/app', 'read'), ['old']);
    } finally {
      adapter.close();
      await registry.stop();
    }
  });
});
