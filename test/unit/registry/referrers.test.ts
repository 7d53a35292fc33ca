import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Referrers } from '../../../src/adapters/registry/manifests/referrers.js';
import type {
  RegistryRequest,
  RegistryResponse,
} from '../../../src/adapters/registry/transport/registry-http-client.js';

const BASE = 'https://registry.example.com';
const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A registry whose answers are held until release() is called, counting what was asked. */
function heldRegistry(answer: (request: RegistryRequest) => RegistryResponse): {
  send: (request: RegistryRequest) => Promise<RegistryResponse>;
  sent: RegistryRequest[];
  release: () => void;
} {
  const sent: RegistryRequest[] = [];
  const held: (() => void)[] = [];
  return {
    sent,
    send: (request) => {
      sent.push(request);
      return new Promise((resolve) =>
        held.push(() => {
          resolve(answer(request));
        }),
      );
    },
    release: () => {
      for (const settle of held.splice(0)) settle();
    },
  };
}

const index = (url: string): RegistryResponse => ({
  status: 200,
  headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
  body: Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] })),
  url,
});

/** Lets the waiting callers run until they are blocked on a request or on the probe. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Referrers', () => {
  it('asks once whether the API exists, however many repositories ask at once', async () => {
    const registry = heldRegistry((request) => ({
      status: 404,
      headers: {},
      body: Buffer.alloc(0),
      url: request.url,
    }));
    const referrers = new Referrers((request) => registry.send(request), BASE);
    const answers = Promise.all(
      ['team/a', 'team/b', 'team/c', 'team/d'].map((repository) =>
        referrers.list(repository, DIGEST, 'read'),
      ),
    );
    await settle();
    assert.equal(registry.sent.length, 1);
    registry.release();
    assert.deepEqual(await answers, [undefined, undefined, undefined, undefined]);
    assert.equal(await referrers.list('team/e', DIGEST, 'read'), undefined);
    assert.equal(registry.sent.length, 1);
  });

  it('lets the others ask once the first answer says the API exists', async () => {
    const registry = heldRegistry((request) => index(request.url));
    const referrers = new Referrers((request) => registry.send(request), BASE);
    const answers = Promise.all(
      ['team/a', 'team/b', 'team/c'].map((repository) =>
        referrers.list(repository, DIGEST, 'read'),
      ),
    );
    await settle();
    assert.equal(registry.sent.length, 1);
    registry.release();
    await settle();
    assert.equal(registry.sent.length, 3);
    registry.release();
    assert.deepEqual(await answers, [[], [], []]);
    assert.deepEqual(
      registry.sent.map((request) => request.url),
      ['team/a', 'team/b', 'team/c'].map(
        (repository) => `${BASE}/v2/${repository}/referrers/${DIGEST}`,
      ),
    );
  });

  it('asks again after a probe that failed', async () => {
    let calls = 0;
    const referrers = new Referrers((request) => {
      calls += 1;
      return Promise.resolve(
        calls === 1
          ? { status: 500, headers: {}, body: Buffer.alloc(0), url: request.url }
          : { status: 404, headers: {}, body: Buffer.alloc(0), url: request.url },
      );
    }, BASE);
    const [first, second] = await Promise.allSettled([
      referrers.list('team/a', DIGEST, 'read'),
      referrers.list('team/b', DIGEST, 'read'),
    ]);
    assert.equal(first.status, 'rejected');
    assert.deepEqual(second, { status: 'fulfilled', value: undefined });
    assert.equal(calls, 2);
  });
});
