import { registryAdapter } from '../support/registry-adapter.js';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RegistryError } from '../../src/application/ports/registry.port.js';
import {
  HttpDockerRegistry,
  type HttpDockerRegistryOptions,
} from '../../src/adapters/registry/http-docker-registry.adapter.js';
import type { RegistrySettings } from '../../src/adapters/registry/registry-settings.js';
import { RecordingLogger } from '../fakes/recording-logger.js';
import { pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';

// TLS settings and proxies, against the real docker-registry. The proxy is a few lines of
// node:http here: a forward proxy for http:// targets and a CONNECT tunnel for https:// ones.

const CREATED = new Date('2023-01-15T10:00:00Z');

interface TestProxy {
  url: string;
  /** `CONNECT host:port` or `GET http://...`, in arrival order. */
  seen: string[];
  proxyAuthorizations: (string | undefined)[];
  stop(): Promise<void>;
}

async function startProxy(): Promise<TestProxy> {
  const seen: string[] = [];
  const proxyAuthorizations: (string | undefined)[] = [];
  const tunnels = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    seen.push(`${request.method ?? ''} ${request.url ?? ''}`);
    proxyAuthorizations.push(request.headers['proxy-authorization']);
    const target = new URL(request.url ?? '');
    const headers: Record<string, string | string[] | undefined> = {
      ...request.headers,
      host: target.host,
    };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: request.method ?? 'GET',
        headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  server.on('connect', (request, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${request.url ?? ''}`);
    proxyAuthorizations.push(request.headers['proxy-authorization']);
    const [host, port] = (request.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      tunnels.add(socket);
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on('close', () => tunnels.delete(socket));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    proxyAuthorizations,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of tunnels) socket.destroy();
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

function adapterFor(
  registry: RunningRegistry,
  settings: Partial<RegistrySettings>,
  options: HttpDockerRegistryOptions = {},
): { adapter: HttpDockerRegistry; logger: RecordingLogger } {
  const logger = new RecordingLogger();
  const adapter = registryAdapter(
    {
      url: registry.url,
      timeoutMs: 10_000,
      maxConcurrentRequests: 4,
      insecure: false,
      httpLogs: true,
      ...settings,
    },
    logger,
    { sleep: () => Promise.resolve(), env: {}, ...options },
  );
  return { adapter, logger };
}

describe('HttpDockerRegistry over https with a self-signed certificate', () => {
  let registry: RunningRegistry;

  before(async () => {
    registry = await startRegistry({ auth: 'none', tls: true });
    await pushImage(registry, 'team/app', ['1.0'], { created: CREATED });
  });
  after(async () => {
    await registry.stop();
  });

  it('refuses an unverifiable certificate with a tls error naming ca_file and insecure', async () => {
    const { adapter } = adapterFor(registry, {});
    try {
      const isTlsError = (error: unknown): boolean => {
        assert.ok(error instanceof RegistryError);
        assert.equal(error.kind, 'tls');
        assert.match(error.message, /TLS certificate verification failed/);
        assert.match(error.message, /ca_file/);
        assert.match(error.message, /insecure/);
        return true;
      };
      await assert.rejects(adapter.listTags('team/app', 'read'), isTlsError);
      // A whole-registry problem: inspectTag throws it rather than failing one tag.
      await assert.rejects(adapter.inspectTag('team/app', '1.0', 'read'), isTlsError);
      assert.equal(adapter.stats.retries, 0);
    } finally {
      adapter.close();
    }
  });

  it('trusts the registry with ca_file, alongside the public roots', async () => {
    assert.ok(registry.caFile !== undefined);
    const { adapter } = adapterFor(registry, { caFile: registry.caFile });
    try {
      const resolution = await adapter.inspectTag('team/app', '1.0', 'read');
      assert.ok(resolution.status === 'resolved');
      assert.equal(resolution.created.toISOString(), CREATED.toISOString());
    } finally {
      adapter.close();
    }
  });

  it('skips verification with insecure', async () => {
    const { adapter } = adapterFor(registry, { insecure: true });
    try {
      assert.deepEqual(await adapter.listTags('team/app', 'read'), ['1.0']);
    } finally {
      adapter.close();
    }
  });

  it('reports an unreadable ca_file as a tls error before sending anything', async () => {
    const { adapter } = adapterFor(registry, { caFile: '/nonexistent/ca.pem' });
    try {
      await assert.rejects(
        adapter.listTags('team/app', 'read'),
        (error: unknown) =>
          error instanceof RegistryError &&
          error.kind === 'tls' &&
          /cannot read ca_file/.test(error.message),
      );
    } finally {
      adapter.close();
    }
  });

  it('tunnels through a proxy with CONNECT and still verifies against ca_file', async () => {
    const proxy = await startProxy();
    assert.ok(registry.caFile !== undefined);
    const { adapter } = adapterFor(registry, { caFile: registry.caFile, proxy: proxy.url });
    try {
      assert.deepEqual(await adapter.listTags('team/app', 'read'), ['1.0']);
      const host = new URL(registry.url).host;
      assert.ok(proxy.seen.length >= 1);
      assert.ok(
        proxy.seen.every((line) => line === `CONNECT ${host}`),
        proxy.seen.join(', '),
      );
    } finally {
      adapter.close();
      await proxy.stop();
    }
  });

  it('still refuses an unverifiable certificate inside the tunnel', async () => {
    const proxy = await startProxy();
    const { adapter } = adapterFor(registry, { proxy: proxy.url });
    try {
      await assert.rejects(
        adapter.listTags('team/app', 'read'),
        (error: unknown) => error instanceof RegistryError && error.kind === 'tls',
      );
      assert.ok(proxy.seen.length >= 1);
    } finally {
      adapter.close();
      await proxy.stop();
    }
  });
});

describe('HttpDockerRegistry through a proxy (http registry)', () => {
  let registry: RunningRegistry;
  let proxy: TestProxy;

  before(async () => {
    registry = await startRegistry({ auth: 'basic' });
    await pushImage(registry, 'team/app', ['1.0'], { created: CREATED });
    proxy = await startProxy();
  });
  after(async () => {
    await proxy.stop();
    await registry.stop();
  });

  function credentials(): { username: string; password: string } {
    assert.ok(registry.username !== undefined && registry.password !== undefined);
    return { username: registry.username, password: registry.password };
  }

  it('sends every request through the proxy, with the proxy credentials, naming them nowhere', async () => {
    proxy.seen.length = 0;
    proxy.proxyAuthorizations.length = 0;
    const proxyUrl = proxy.url.replace('http://', 'http://proxyuser:proxy-secret-42@');
    const { adapter, logger } = adapterFor(registry, {
      proxy: proxyUrl,
      credentials: credentials(),
    });
    try {
      const resolution = await adapter.inspectTag('team/app', '1.0', 'read');
      assert.ok(resolution.status === 'resolved');
      assert.deepEqual(
        proxy.seen.map((line) => line.replace(/sha256:\w+/, 'sha256:…')),
        [
          `GET ${registry.url}/v2/`,
          `GET ${registry.url}/v2/team/app/manifests/1.0`,
          `GET ${registry.url}/v2/team/app/blobs/sha256:…`,
        ],
      );
      const expected = `Basic ${Buffer.from('proxyuser:proxy-secret-42').toString('base64')}`;
      assert.ok(proxy.proxyAuthorizations.every((value) => value === expected));
      assert.doesNotMatch(logger.text(), /proxy-secret-42/);
    } finally {
      adapter.close();
    }
  });

  it('goes direct for hosts in NO_PROXY (upper or lower case)', async () => {
    for (const env of [
      { NO_PROXY: 'localhost,127.0.0.1' },
      { no_proxy: '127.0.0.1:' + new URL(registry.url).port },
    ]) {
      proxy.seen.length = 0;
      const { adapter } = adapterFor(
        registry,
        { proxy: proxy.url, credentials: credentials() },
        { env },
      );
      try {
        assert.deepEqual(await adapter.listTags('team/app', 'read'), ['1.0']);
        assert.deepEqual(proxy.seen, []);
      } finally {
        adapter.close();
      }
    }
  });

  it('does not read HTTP_PROXY from the environment by itself', async () => {
    const saved = process.env['HTTP_PROXY'];
    process.env['HTTP_PROXY'] = proxy.url;
    proxy.seen.length = 0;
    const { adapter } = adapterFor(registry, { credentials: credentials() });
    try {
      assert.deepEqual(await adapter.listTags('team/app', 'read'), ['1.0']);
      assert.deepEqual(proxy.seen, []);
    } finally {
      adapter.close();
      if (saved === undefined) delete process.env['HTTP_PROXY'];
      else process.env['HTTP_PROXY'] = saved;
    }
  });
});
