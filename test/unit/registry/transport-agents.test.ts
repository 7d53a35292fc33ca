import assert from 'node:assert/strict';
import type http from 'node:http';
import { describe, it } from 'node:test';
import {
  TCP_KEEPALIVE_MS,
  TransportAgents,
} from '../../../src/adapters/registry/transport/transport-agents.js';

/** Node sets it on every agent; @types/node does not declare it. */
function keepAliveMsecsOf(agent: http.Agent): unknown {
  return Reflect.get(agent, 'keepAliveMsecs');
}

describe('TransportAgents', () => {
  // axios sets a 60 s TCP keep-alive on the socket of every request; an agent with another
  // value set its own back each time the socket returned to the pool: eight setsockopt calls
  // per request (issue 9). Node skips the call when the value does not change.
  it("gives every agent axios' TCP keep-alive delay, direct and through a proxy", () => {
    assert.equal(TCP_KEEPALIVE_MS, 60_000);
    const direct = new TransportAgents({ insecure: false });
    const proxied = new TransportAgents({ insecure: false, proxy: 'http://127.0.0.1:3128' });
    try {
      for (const agents of [direct, proxied]) {
        const pair = agents.agentsFor(new URL('https://registry.example:5000'));
        assert.equal(keepAliveMsecsOf(pair.httpAgent), TCP_KEEPALIVE_MS);
        assert.equal(keepAliveMsecsOf(pair.httpsAgent), TCP_KEEPALIVE_MS);
      }
    } finally {
      direct.destroy();
      proxied.destroy();
    }
  });
});
