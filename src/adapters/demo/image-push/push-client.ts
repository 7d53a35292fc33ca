import type { Agent, OutgoingHttpHeaders } from 'node:http';
import { createAgent, send, type RawResponse } from './http-request.js';

export interface RegistryCall {
  method: string;
  /** Path such as `/v2/team/app/tags/list`, or an absolute URL (upload Locations are absolute). */
  path: string;
  /** Repository and actions for a Bearer scope, e.g. `team/app` + ['pull', 'push']. */
  repository?: string;
  actions?: readonly string[];
  headers?: OutgoingHttpHeaders;
  body?: Buffer | string;
}

/**
 * What the pusher needs from a registry client: its base URL and one request at a time. The
 * demo uses the anonymous client below; the tests bring one that answers Basic and Bearer
 * challenges (testkit/registry-client.ts).
 */
export interface PushClient {
  readonly url: string;
  request(call: RegistryCall): Promise<RawResponse>;
}

/**
 * A client for a registry without authentication (the demo's own registry, a local test
 * registry). Deliberately independent of src/adapters/registry: the tests push their fixtures
 * with this code, and a fixture that shared the adapter's code could hide the adapter's bugs.
 */
export class AnonymousPushClient implements PushClient {
  private readonly agent: Agent;

  constructor(readonly url: string) {
    this.agent = createAgent({ https: new URL(url).protocol === 'https:', ca: undefined });
  }

  request(call: RegistryCall): Promise<RawResponse> {
    const request = {
      method: call.method,
      url: new URL(call.path, this.url),
      headers: call.headers ?? {},
      agent: this.agent,
    };
    return send(call.body === undefined ? request : { ...request, body: call.body });
  }

  /** Closes the kept-alive connections, so that they do not hold the process open. */
  close(): void {
    this.agent.destroy();
  }
}
