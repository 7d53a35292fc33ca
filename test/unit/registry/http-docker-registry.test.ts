import { registryAdapter } from '../../support/registry-adapter.js';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, it } from 'node:test';
import { RegistryError } from '../../../src/application/ports/registry.port.js';
import { HttpDockerRegistry } from '../../../src/adapters/registry/http-docker-registry.adapter.js';
import type { RegistrySettings } from '../../../src/adapters/registry/registry-settings.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { sendJson, startFaultServer, type FaultServer } from '../../support/fault-server.js';

// Registry behaviour the real docker-registry cannot be made to show: malformed bodies, missing
// headers, failing blobs, foreign redirects and links, attestation children. The rest is in
// test/integration/registry-*.int.test.ts.

interface Content {
  bytes: Buffer;
  digest: string;
  mediaType: string;
}

function content(value: unknown, mediaType = 'application/json'): Content {
  const bytes = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  return { bytes, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, mediaType };
}

function image(created: unknown): { config: Content; manifest: Content } {
  const config = content({
    architecture: 'amd64',
    os: 'linux',
    ...(created === undefined ? {} : { created }),
  });
  const manifest = content(
    {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: config.digest,
        size: config.bytes.length,
      },
      // Never fetched: only its size matters (reclaimable space in the reports).
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...LAYER }],
    },
    'application/vnd.oci.image.manifest.v1+json',
  );
  return { config, manifest };
}

const LAYER = { digest: `sha256:${'1'.repeat(64)}`, size: 4_321 };

/** What an image of image() takes in storage. */
function footprintOf({ config, manifest }: { config: Content; manifest: Content }): {
  digest: string;
  bytes: number;
  blobs: { digest: string; size: number }[];
} {
  return {
    digest: manifest.digest,
    bytes: manifest.bytes.length,
    blobs: [{ digest: config.digest, size: config.bytes.length }, LAYER],
  };
}

function serveContent(response: ServerResponse, item: Content, withDigest = true): void {
  response.writeHead(200, {
    'content-type': item.mediaType,
    'content-length': String(item.bytes.length),
    ...(withDigest ? { 'docker-content-digest': item.digest } : {}),
  });
  response.end(item.bytes);
}

type Route = (
  response: ServerResponse,
  method: string,
  headers: Record<string, string | string[] | undefined>,
) => void;

const servers: FaultServer[] = [];
const registries: HttpDockerRegistry[] = [];

async function fakeRegistry(routes: Record<string, Route>, host?: string): Promise<FaultServer> {
  const server = await startFaultServer((request, response) => {
    const path = request.url ?? '';
    const route = routes[path] ?? routes[path.split('?')[0] ?? ''];
    if (path === '/v2/' && route === undefined) {
      sendJson(response, 200, {});
    } else if (route === undefined) {
      sendJson(response, 404, { errors: [{ code: 'NOT_FOUND', message: path }] });
    } else {
      route(response, request.method ?? '', request.headers);
    }
  }, host);
  servers.push(server);
  return server;
}

function adapter(
  url: string,
  overrides: Partial<RegistrySettings> = {},
): { registry: HttpDockerRegistry; logger: RecordingLogger } {
  const logger = new RecordingLogger();
  const registry = registryAdapter(
    {
      url,
      timeoutMs: 2000,
      maxConcurrentRequests: 4,
      insecure: false,
      httpLogs: true,
      ...overrides,
    },
    logger,
    { sleep: () => Promise.resolve(), random: () => 0.5 },
  );
  registries.push(registry);
  return { registry, logger };
}

afterEach(async () => {
  for (const registry of registries.splice(0)) registry.close();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

describe('HttpDockerRegistry.inspectTag against a misbehaving registry', () => {
  it('returns failed (not a throw) for a manifest that is not JSON', async () => {
    const server = await fakeRegistry({
      '/v2/team/app/manifests/1.0': (response) => {
        serveContent(
          response,
          content('{"schemaVersion": 2, "config": ', 'application/vnd.oci.image.manifest.v1+json'),
        );
      },
    });
    const { registry } = adapter(server.url);
    const resolution = await registry.inspectTag('team/app', '1.0', 'read');
    assert.ok(resolution.status === 'failed');
    assert.match(resolution.problem, /not valid JSON/);
  });

  it('returns failed with the cause when the config blob keeps answering 503', async () => {
    const { config, manifest } = image('2024-01-01T00:00:00Z');
    const server = await fakeRegistry({
      '/v2/team/app/manifests/1.0': (response) => {
        serveContent(response, manifest);
      },
      [`/v2/team/app/blobs/${config.digest}`]: (response) => {
        sendJson(response, 503, { errors: [{ code: 'UNAVAILABLE', message: 'storage down' }] });
      },
    });
    const { registry } = adapter(server.url);
    const resolution = await registry.inspectTag('team/app', '1.0', 'read');
    assert.ok(resolution.status === 'failed');
    assert.match(
      resolution.problem,
      /config blob .* 503 UNAVAILABLE: storage down \(after retries\)/,
    );
    assert.equal(registry.stats.count('blob'), 5);
  });

  it('hashes the exact body when Docker-Content-Digest is missing', async () => {
    const dated = image('2024-01-01T00:00:00Z');
    const { config, manifest } = dated;
    const server = await fakeRegistry({
      '/v2/team/app/manifests/1.0': (response) => {
        serveContent(response, manifest, false);
      },
      [`/v2/team/app/blobs/${config.digest}`]: (response) => {
        serveContent(response, config);
      },
    });
    const { registry } = adapter(server.url);
    assert.deepEqual(await registry.inspectTag('team/app', '1.0', 'read'), {
      status: 'resolved',
      digest: manifest.digest,
      kind: 'image',
      created: new Date('2024-01-01T00:00:00Z'),
      children: [],
      footprint: footprintOf(dated),
    });
  });

  it('refuses a config blob whose bytes do not match its digest', async () => {
    const { config, manifest } = image('2024-01-01T00:00:00Z');
    const server = await fakeRegistry({
      '/v2/team/app/manifests/1.0': (response) => {
        serveContent(response, manifest);
      },
      [`/v2/team/app/blobs/${config.digest}`]: (response) => {
        serveContent(response, content({ created: '2000-01-01T00:00:00Z' }));
      },
    });
    const { registry } = adapter(server.url);
    const resolution = await registry.inspectTag('team/app', '1.0', 'read');
    assert.ok(resolution.status === 'failed');
    assert.match(resolution.problem, /does not match its digest/);
  });

  it('dates an index by its newest platform image and never fetches the attestation', async () => {
    const amd64 = image('2024-01-01T00:00:00Z');
    const arm64 = image('2024-03-01T00:00:00Z');
    const attestation = image(undefined);
    const index = content(
      {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: amd64.manifest.mediaType,
            digest: amd64.manifest.digest,
            platform: { os: 'linux', architecture: 'amd64' },
          },
          {
            mediaType: arm64.manifest.mediaType,
            digest: arm64.manifest.digest,
            platform: { os: 'linux', architecture: 'arm64' },
          },
          {
            mediaType: attestation.manifest.mediaType,
            digest: attestation.manifest.digest,
            platform: { os: 'unknown', architecture: 'unknown' },
            annotations: {
              'vnd.docker.reference.type': 'attestation-manifest',
              'vnd.docker.reference.digest': amd64.manifest.digest,
            },
          },
        ],
      },
      'application/vnd.oci.image.index.v1+json',
    );
    const routes: Record<string, Route> = {
      '/v2/team/app/manifests/multi': (response) => {
        serveContent(response, index);
      },
    };
    for (const item of [amd64, arm64, attestation]) {
      routes[`/v2/team/app/manifests/${item.manifest.digest}`] = (response) => {
        serveContent(response, item.manifest);
      };
      routes[`/v2/team/app/blobs/${item.config.digest}`] = (response) => {
        serveContent(response, item.config);
      };
    }
    const server = await fakeRegistry(routes);
    const { registry } = adapter(server.url);
    assert.deepEqual(await registry.inspectTag('team/app', 'multi', 'read'), {
      status: 'resolved',
      digest: index.digest,
      kind: 'index',
      created: new Date('2024-03-01T00:00:00Z'),
      children: [amd64.manifest.digest, arm64.manifest.digest],
      // The attestation is left out of the sizes as it is of the date.
      footprint: {
        digest: index.digest,
        bytes: index.bytes.length,
        blobs: [],
        platforms: [footprintOf(amd64), footprintOf(arm64)],
      },
    });
    const paths = server.requests.map((request) => request.url);
    assert.ok(
      !paths.some(
        (path) =>
          path.includes(attestation.manifest.digest) || path.includes(attestation.config.digest),
      ),
    );
    assert.deepEqual(registry.stats.snapshot(), {
      probe: 1,
      token: 0,
      catalog: 0,
      tags: 0,
      'manifest-head': 0,
      'manifest-get': 3,
      blob: 2,
      delete: 0,
      'blob-head': 0,
      'manifest-put': 0,
      referrers: 0,
      'blob-upload': 0,
    });
  });

  it('follows a config blob redirect to object storage without sending Authorization there', async () => {
    const { config, manifest } = image('2024-05-05T05:05:05Z');
    const storage = await fakeRegistry(
      {
        '/bucket/config': (response) => {
          serveContent(response, config);
        },
      },
      '127.0.0.2',
    );
    const credentials = { username: 'robot', password: 'pa55word' };
    const basic = `Basic ${Buffer.from('robot:pa55word').toString('base64')}`;
    const guarded =
      (route: Route): Route =>
      (response, method, headers) => {
        if (headers['authorization'] === basic) route(response, method, headers);
        else sendJson(response, 401, {}, { 'www-authenticate': 'Basic realm="fake"' });
      };
    const server = await fakeRegistry({
      '/v2/': guarded((response) => {
        sendJson(response, 200, {});
      }),
      '/v2/team/app/manifests/1.0': guarded((response) => {
        serveContent(response, manifest);
      }),
      [`/v2/team/app/blobs/${config.digest}`]: guarded((response) => {
        response.writeHead(307, { location: `${storage.url}/bucket/config?X-Amz-Signature=sig` });
        response.end();
      }),
    });
    const { registry, logger } = adapter(server.url, { credentials });
    const resolution = await registry.inspectTag('team/app', '1.0', 'read');
    assert.ok(resolution.status === 'resolved');
    assert.equal(resolution.created.toISOString(), '2024-05-05T05:05:05.000Z');
    assert.equal(server.requests.at(-1)?.headers.authorization, basic);
    assert.equal(storage.requests.length, 1);
    assert.equal(storage.requests[0]?.headers.authorization, undefined);
    assert.doesNotMatch(logger.text(), /pa55word|cm9ib3Q6|X-Amz-Signature=sig/);
  });
});

describe('HttpDockerRegistry.digestOf against a registry that answers HEAD badly', () => {
  const dated = image('2024-01-01T00:00:00Z');
  const { manifest } = dated;

  for (const [label, head] of [
    [
      '200 without Docker-Content-Digest',
      (response: ServerResponse) => {
        response.writeHead(200, { 'content-type': manifest.mediaType });
        response.end();
      },
    ],
    [
      '405',
      (response: ServerResponse) => {
        response.writeHead(405);
        response.end();
      },
    ],
    [
      '500',
      (response: ServerResponse) => {
        response.writeHead(500);
        response.end();
      },
    ],
  ] as const) {
    it(`falls back to GET and hashes the body after HEAD ${label}`, async () => {
      const server = await fakeRegistry({
        '/v2/team/app/manifests/1.0': (response, method) => {
          if (method === 'HEAD') head(response);
          else serveContent(response, manifest, false);
        },
      });
      const { registry } = adapter(server.url);
      // A tag not seen before costs one GET; seen before, it is confirmed with HEAD.
      const expected = { digest: manifest.digest, children: [], footprint: footprintOf(dated) };
      assert.deepEqual(await registry.digestOf('team/app', '1.0', 'read'), expected);
      assert.deepEqual(await registry.digestOf('team/app', '1.0', 'read'), expected);
      assert.equal(registry.stats.count('manifest-head'), 1);
      assert.equal(registry.stats.count('manifest-get'), 2);
    });
  }

  it('reports a missing tag as not-found after one GET, without a HEAD', async () => {
    const server = await fakeRegistry({});
    const { registry } = adapter(server.url);
    await assert.rejects(
      registry.digestOf('team/app', 'gone', 'read'),
      (error: unknown) => error instanceof RegistryError && error.kind === 'not-found',
    );
    assert.equal(registry.stats.count('manifest-get'), 1);
    assert.equal(registry.stats.count('manifest-head'), 0);
  });
});

describe('HttpDockerRegistry lists against a misbehaving registry', () => {
  it('reads "tags": null as no tags', async () => {
    const server = await fakeRegistry({
      '/v2/team/app/tags/list': (response) => {
        sendJson(response, 200, { name: 'team/app', tags: null });
      },
    });
    const { registry } = adapter(server.url);
    assert.deepEqual(await registry.listTags('team/app', 'read'), []);
  });

  it('refuses a next-page link to another host', async () => {
    const server = await fakeRegistry({
      '/v2/team/app/tags/list': (response) => {
        sendJson(
          response,
          200,
          { name: 'team/app', tags: ['a'] },
          { link: '<http://127.0.0.2:1/v2/team/app/tags/list?last=a>; rel="next"' },
        );
      },
    });
    const { registry } = adapter(server.url);
    await assert.rejects(
      registry.listTags('team/app', 'read'),
      (error: unknown) =>
        error instanceof RegistryError &&
        error.kind === 'invalid-response' &&
        /another host/.test(error.message),
    );
  });

  it('refuses a tag list that is not a list of names', async () => {
    const server = await fakeRegistry({
      '/v2/team/app/tags/list': (response) => {
        sendJson(response, 200, { tags: [1, 2] });
      },
    });
    const { registry } = adapter(server.url);
    await assert.rejects(
      registry.listTags('team/app', 'read'),
      (error: unknown) => error instanceof RegistryError && error.kind === 'invalid-response',
    );
  });

  it('explains a denied catalog', async () => {
    const server = await fakeRegistry({
      '/v2/_catalog': (response) => {
        sendJson(response, 403, { errors: [{ code: 'DENIED' }] });
      },
    });
    const { registry } = adapter(server.url);
    await assert.rejects(
      registry.listRepositories(),
      (error: unknown) =>
        error instanceof RegistryError &&
        error.kind === 'forbidden' &&
        /r\/<regex>\//.test(error.message),
    );
  });

  it('reports a registry that stays 503 as unavailable', async () => {
    const server = await fakeRegistry({
      '/v2/team/app/tags/list': (response) => {
        sendJson(response, 503, {});
      },
    });
    const { registry } = adapter(server.url);
    await assert.rejects(
      registry.listTags('team/app', 'read'),
      (error: unknown) => error instanceof RegistryError && error.kind === 'unavailable',
    );
  });
});

describe("HttpDockerRegistry: config.yaml's retry_base_delay", () => {
  /** The backoffs slept before each retry of a tag list that stays 503 (random() = 0.5). */
  async function backoffs(settings: Partial<RegistrySettings>): Promise<number[]> {
    const server = await fakeRegistry({
      '/v2/team/app/tags/list': (response) => {
        sendJson(response, 503, {});
      },
    });
    const slept: number[] = [];
    const registry = registryAdapter(
      {
        url: server.url,
        timeoutMs: 2000,
        maxConcurrentRequests: 4,
        insecure: false,
        httpLogs: false,
        ...settings,
      },
      new RecordingLogger(),
      {
        sleep: (ms) => {
          slept.push(ms);
          return Promise.resolve();
        },
        random: () => 0.5,
      },
    );
    registries.push(registry);
    await assert.rejects(registry.listTags('team/app', 'read'));
    return slept;
  }

  it('without it: the default backoff, 500 ms doubled per retry, 3/4 of it with this jitter', async () => {
    assert.deepEqual(await backoffs({}), [375, 750, 1500, 3000]);
  });

  it('with it: the same doubling from the configured base, and the same number of attempts', async () => {
    assert.deepEqual(await backoffs({ retryBaseDelayMs: 20 }), [15, 30, 60, 120]);
  });
});
