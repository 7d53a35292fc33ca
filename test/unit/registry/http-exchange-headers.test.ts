import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { axios } from '../../../src/adapters/shared/http/axios.js';
import {
  exchange,
  REGISTRY_CLIENT_CONFIG,
  targetOf,
} from '../../../src/adapters/registry/transport/http-exchange.js';

/**
 * The registry client's instance carries fewer default headers than axios gives it (issue 25:
 * the defaults were deep-copied for every request); the headers on the wire must be the
 * ones an instance with axios' full defaults sends.
 */

type Seen = Record<string, string | string[] | undefined>;
const seen: Seen[] = [];
let server: http.Server;
let base: string;
const agent = new http.Agent({ keepAlive: false });

before(async () => {
  server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      seen.push(request.headers);
      response.writeHead(200, { 'Content-Length': 0 });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});
after(() => {
  agent.destroy();
  server.close();
});

const CASES: readonly { method: string; headers: Record<string, string>; body?: Buffer }[] = [
  { method: 'GET', headers: {} },
  { method: 'HEAD', headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } },
  { method: 'DELETE', headers: { Authorization: 'Bearer x' } },
  {
    method: 'PUT',
    headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' },
    body: Buffer.from('{}'),
  },
  { method: 'PATCH', headers: {}, body: Buffer.from('ab') },
];

describe('the registry client sends the headers of an axios instance with its full defaults', () => {
  for (const { method, headers, body } of CASES) {
    it(`${method} ${JSON.stringify(headers)}`, async () => {
      seen.length = 0;
      await exchange({
        method,
        target: targetOf(new URL(base)),
        path: '/v2/a/x',
        headers,
        agent,
        timeoutMs: 5_000,
        maxBodyBytes: 1_000,
        ...(body === undefined ? {} : { body }),
      });
      const fullDefaults = axios.create(REGISTRY_CLIENT_CONFIG);
      await fullDefaults.request({
        method,
        url: `${base}/v2/a/x`,
        headers,
        httpAgent: agent,
        ...(body === undefined ? {} : { data: body }),
      });
      const [ours, reference] = seen;
      assert.ok(ours !== undefined && reference !== undefined);
      assert.deepEqual(ours, reference);
      assert.equal(ours.accept, headers.Accept ?? 'application/json, text/plain, */*');
    });
  }
});
