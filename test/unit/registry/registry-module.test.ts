import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container } from 'inversify';
import { Registry } from '../../../src/application/ports/registry.port.js';
import { HttpDockerRegistry } from '../../../src/adapters/registry/http-docker-registry.adapter.js';
import { RequestStats } from '../../../src/adapters/shared/http/request-stats.js';
import { HttpExchange } from '../../../src/adapters/registry/transport/exchange.js';
import type {
  ExchangeRequest,
  ExchangeResponse,
} from '../../../src/adapters/registry/transport/http-exchange.js';
import { RegistryHttpClient } from '../../../src/adapters/registry/transport/registry-http-client.js';
import { RequestGate } from '../../../src/adapters/registry/transport/request-limiter.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { registryAdapter } from '../../support/registry-adapter.js';

const SETTINGS = {
  url: 'https://registry.example.com/v2/',
  timeoutMs: 1000,
  maxConcurrentRequests: 2,
  insecure: false,
  httpLogs: false,
};

/** Answers every exchange from memory and keeps what was asked: no socket is opened. */
class RecordingExchange implements HttpExchange {
  readonly seen: string[] = [];

  exchange(request: ExchangeRequest): Promise<ExchangeResponse> {
    this.seen.push(`${request.method} ${request.target.base}${request.path}`);
    const body = Buffer.from(JSON.stringify({ name: 'team/app', tags: ['1.0', '2.0'] }));
    return Promise.resolve({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body,
    });
  }
}

describe('registryModule: the composition root wires the registry adapter part by part', () => {
  it('sends through the bound HttpExchange, counted by the process RequestStats', async () => {
    const exchange = new RecordingExchange();
    let container: Container | undefined;
    const adapter = registryAdapter(SETTINGS, new RecordingLogger(), {}, (swapped) => {
      swapped.rebind(HttpExchange).toConstantValue(exchange);
      container = swapped;
    });
    assert.deepEqual(await adapter.listTags('team/app', 'read'), ['1.0', '2.0']);
    // Auth asks /v2/ first (is a token needed?), then the tag list is read.
    assert.deepEqual(exchange.seen, [
      'GET https://registry.example.com/v2/',
      'GET https://registry.example.com/v2/team/app/tags/list?n=1000',
    ]);
    assert.ok(container);
    assert.equal(container.get(RequestStats).count('tags'), 1);
    assert.equal(adapter.stats, container.get(RequestStats));
  });

  it('binds each part once per process: one gate, one transport, one adapter behind the port', () => {
    let container: Container | undefined;
    registryAdapter(SETTINGS, new RecordingLogger(), {}, (swapped) => {
      container = swapped;
    });
    assert.ok(container);
    assert.equal(container.get(RequestGate), container.get(RequestGate));
    assert.equal(container.get(RegistryHttpClient), container.get(RegistryHttpClient));
    assert.equal(container.get(Registry), container.get(HttpDockerRegistry));
  });
});
