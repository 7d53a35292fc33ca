import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { axios } from '../../../src/adapters/shared/http/axios.js';
import { nodeHttpAdapter } from '../../../src/adapters/registry/transport/node-http-adapter.js';
import { REGISTRY_CLIENT_CONFIG } from '../../../src/adapters/registry/transport/http-exchange.js';
import { transportFailureOf } from '../../../src/adapters/shared/http/transport-failure.js';

/**
 * The registry client's axios adapter (issue 25) against a loopback server: what axios' own
 * 'http' adapter did for the requests http-exchange.ts sends, errors included.
 */

const MANIFEST = Buffer.from(JSON.stringify({ schemaVersion: 2, layers: ['a'.repeat(300)] }));
let stalled: () => void = () => undefined;
const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

function route(request: http.IncomingMessage, response: http.ServerResponse, body: string): void {
  seen.push({
    method: request.method ?? '',
    url: request.url ?? '',
    headers: request.headers,
    body,
  });
  const send = (encoding: string, bytes: Buffer): void => {
    response.writeHead(200, { 'Content-Encoding': encoding, 'Content-Length': bytes.length });
    response.end(request.method === 'HEAD' ? undefined : bytes);
  };
  switch (request.url ?? '') {
    case '/gzip':
      send('gzip', zlib.gzipSync(MANIFEST));
      return;
    case '/deflate':
      send('deflate', zlib.deflateSync(MANIFEST));
      return;
    case '/raw-deflate':
      send('deflate', zlib.deflateRawSync(MANIFEST));
      return;
    case '/br':
      send('br', zlib.brotliCompressSync(MANIFEST));
      return;
    case '/cut':
      // Promises the whole manifest, sends half, closes.
      response.writeHead(200, { 'Content-Length': MANIFEST.length });
      response.write(MANIFEST.subarray(0, 100));
      setImmediate(() => request.socket.destroy());
      return;
    case '/stall':
      response.writeHead(200, { 'Content-Length': MANIFEST.length });
      response.write(MANIFEST.subarray(0, 100), () => {
        stalled();
      });
      return;
    default:
      response.writeHead(404, { 'Docker-Distribution-Api-Version': 'registry/2.0' });
      response.end(MANIFEST);
  }
}

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    route(request, response, Buffer.concat(chunks).toString('utf8'));
  });
});
const agent = new http.Agent({ keepAlive: true });
// The registry client's settings, this adapter named (it is what is tested), a plain agent.
const client = axios.create({
  ...REGISTRY_CLIENT_CONFIG,
  adapter: nodeHttpAdapter,
  httpAgent: agent,
});
let base = '';

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

after(() => {
  agent.destroy();
  server.closeAllConnections();
  server.close();
});

describe('nodeHttpAdapter', () => {
  it('sends the merged headers, axios Accept-Encoding and Basic auth; any status is an answer', async () => {
    const response = await client.request<Buffer>({
      method: 'put',
      url: `${base}/v2/app/manifests/latest`,
      headers: { 'User-Agent': 'reg-cleaner', Authorization: 'Bearer t', Accept: 'x/y' },
      auth: { username: 'bob', password: 'pw' },
      data: Buffer.from('{"m":1}'),
    });
    assert.equal(response.status, 404);
    assert.equal(response.headers['docker-distribution-api-version'], 'registry/2.0');
    assert.deepEqual(response.data, MANIFEST);
    const request = seen.at(-1);
    assert.ok(request !== undefined);
    assert.equal(request.method, 'PUT');
    assert.equal(request.url, '/v2/app/manifests/latest');
    assert.equal(request.body, '{"m":1}');
    assert.equal(request.headers['content-length'], '7');
    assert.equal(request.headers['user-agent'], 'reg-cleaner');
    assert.equal(request.headers['accept'], 'x/y');
    assert.equal(request.headers['accept-encoding'], 'gzip, compress, deflate, br');
    // auth replaces the Authorization header, as in axios' adapter.
    assert.equal(
      request.headers['authorization'],
      `Basic ${Buffer.from('bob:pw').toString('base64')}`,
    );
  });

  for (const path of ['/gzip', '/deflate', '/raw-deflate', '/br']) {
    it(`decodes a ${path.slice(1)} body and drops Content-Encoding`, async () => {
      const response = await client.get<Buffer>(`${base}${path}`);
      assert.deepEqual(response.data, MANIFEST);
      assert.equal(response.headers['content-encoding'], undefined);
    });
  }

  it('a HEAD with Content-Encoding has an empty body', async () => {
    const response = await client.head<Buffer>(`${base}/gzip`);
    assert.equal(response.status, 200);
    assert.equal(response.data.length, 0);
  });

  it('refuses a body over maxContentLength, decoded or not, as BODY_TOO_LARGE', async () => {
    for (const path of ['/plain', '/gzip']) {
      const error: unknown = await client.get(`${base}${path}`, { maxContentLength: 200 }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      assert.ok(axios.isAxiosError(error), path);
      assert.equal(transportFailureOf(error, false, 1000).code, 'BODY_TOO_LARGE', path);
    }
  });

  it('a body cut short by a closed connection is a retryable reset, with the response attached', async () => {
    const error: unknown = await client.get(`${base}/cut`).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(axios.isAxiosError(error));
    assert.ok(error.response !== undefined);
    const failure = transportFailureOf(error, false, 1000);
    assert.equal(failure.code, 'ECONNRESET');
    assert.equal(failure.retryable, true);
  });

  it('the abort signal ends a stalled body at once with a CanceledError', async () => {
    let abort: () => void = () => undefined;
    const signal = {
      aborted: false,
      addEventListener: (_type: string, listener: () => void): void => {
        abort = listener;
      },
      removeEventListener: (): void => undefined,
    };
    const halfway = new Promise<void>((resolve) => {
      stalled = resolve;
    });
    const pending = client.get(`${base}/stall`, { signal });
    await halfway;
    signal.aborted = true;
    abort();
    const error: unknown = await pending.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(axios.isCancel(error));
  });

  it('a refused connection keeps its code and its ClientRequest', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => {
      closed.close(() => {
        resolve();
      });
    });
    const error: unknown = await client.get(`http://127.0.0.1:${String(port)}/v2/`).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(axios.isAxiosError(error));
    assert.ok(error.request instanceof http.ClientRequest);
    assert.equal(transportFailureOf(error, false, 1000).code, 'ECONNREFUSED');
  });

  it('refuses what it does not do: a relative URL, redirects, a body of another type', async () => {
    for (const config of [
      { url: '/v2/' },
      { url: `${base}/v2/`, maxRedirects: 5 },
      { url: `${base}/v2/`, method: 'post', data: { a: 1 } },
    ]) {
      await assert.rejects(client.request(config), /registry adapter/);
    }
  });
});
