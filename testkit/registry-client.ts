import { readFile } from 'node:fs/promises';
import type { Agent, OutgoingHttpHeaders } from 'node:http';
import type { PushClient, RegistryCall } from '../src/adapters/demo/image-push/push-client.js';
import { createAgent, send, type SupportResponse } from './http-request.js';
import { parseChallenge } from './www-authenticate.js';

/** Where and as whom the kit talks to a registry; a RunningRegistry fits this shape. */
export interface RegistryClientTarget {
  url: string;
  username?: string;
  password?: string;
  caFile?: string;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

type Authorization =
  | { kind: 'unknown' }
  | { kind: 'basic' }
  | { kind: 'bearer'; realm: string; service: string | undefined };

// Tokens are renewed this long before they expire, so a slow request does not race the expiry.
const TOKEN_EXPIRY_MARGIN_MS = 10_000;

export type { RegistryCall } from '../src/adapters/demo/image-push/push-client.js';

/**
 * The kit's own small Registry API client: answers Basic and Bearer challenges the way
 * docker does, caches one token per scope, and reuses connections. It deliberately shares no
 * code with the registry adapter (src/adapters/registry), so a bug in the adapter under test
 * cannot hide itself in the fixtures; the pusher it serves (src/adapters/demo) is independent too.
 */
export class SupportRegistryClient implements PushClient {
  private authorization: Authorization = { kind: 'unknown' };
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pendingTokens = new Map<string, Promise<CachedToken>>();
  private agentPromise: Promise<Agent> | undefined;
  private realmAgentCache: Agent | undefined;

  readonly url: string;

  constructor(private readonly target: RegistryClientTarget) {
    this.url = target.url;
  }

  async request(call: RegistryCall): Promise<SupportResponse> {
    const scope =
      call.repository === undefined
        ? undefined
        : `repository:${call.repository}:${(call.actions ?? ['pull']).join(',')}`;
    const first = await this.sendOnce(call, scope);
    if (first.response.status !== 401) return first.response;
    // Learn the scheme from the challenge (first contact, or an expired/insufficient token), then retry once.
    const challenge = parseChallenge(first.response.headers['www-authenticate'] ?? '');
    if (challenge === undefined || this.target.username === undefined) return first.response;
    if (challenge.scheme === 'basic') {
      this.authorization = { kind: 'basic' };
    } else if (challenge.scheme === 'bearer' && challenge.params['realm'] !== undefined) {
      this.authorization = {
        kind: 'bearer',
        realm: challenge.params['realm'],
        service: challenge.params['service'],
      };
    } else {
      return first.response;
    }
    const retryScope = scope ?? challenge.params['scope'];
    // Drop the cached token only if it is the one refused: concurrent first requests all get a
    // 401 without any token, and must not throw away the token one of them fetched meanwhile.
    const refused = this.tokens.get(retryScope ?? '');
    if (refused !== undefined && first.authorization === `Bearer ${refused.token}`) {
      this.tokens.delete(retryScope ?? '');
    }
    return (await this.sendOnce(call, retryScope)).response;
  }

  private async sendOnce(
    call: RegistryCall,
    scope: string | undefined,
  ): Promise<{ response: SupportResponse; authorization: string | undefined }> {
    const headers: OutgoingHttpHeaders = { ...call.headers };
    const authorization = await this.authorizationHeader(scope);
    if (authorization !== undefined) headers['authorization'] = authorization;
    const request = {
      method: call.method,
      url: new URL(call.path, this.target.url),
      headers,
      agent: await this.agent(),
    };
    const response = await send(
      call.body === undefined ? request : { ...request, body: call.body },
    );
    return { response, authorization };
  }

  private basicCredentials(): string | undefined {
    const { username, password } = this.target;
    if (username === undefined) return undefined;
    return `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
  }

  private async authorizationHeader(scope: string | undefined): Promise<string | undefined> {
    switch (this.authorization.kind) {
      case 'unknown':
        return undefined;
      case 'basic':
        return this.basicCredentials();
      case 'bearer':
        return `Bearer ${await this.token(this.authorization.realm, this.authorization.service, scope)}`;
    }
  }

  private async token(
    realm: string,
    service: string | undefined,
    scope: string | undefined,
  ): Promise<string> {
    const key = scope ?? '';
    const cached = this.tokens.get(key);
    if (cached !== undefined && cached.expiresAt > Date.now()) return cached.token;
    // Concurrent requests for one scope share one token request.
    let pending = this.pendingTokens.get(key);
    if (pending === undefined) {
      pending = this.fetchToken(realm, service, scope).finally(() =>
        this.pendingTokens.delete(key),
      );
      this.pendingTokens.set(key, pending);
    }
    const fresh = await pending;
    this.tokens.set(key, fresh);
    return fresh.token;
  }

  private async fetchToken(
    realm: string,
    service: string | undefined,
    scope: string | undefined,
  ): Promise<CachedToken> {
    const url = new URL(realm);
    if (service !== undefined) url.searchParams.set('service', service);
    if (scope !== undefined) url.searchParams.set('scope', scope);
    const headers: OutgoingHttpHeaders = {};
    const basic = this.basicCredentials();
    if (basic !== undefined) headers['authorization'] = basic;
    // The realm may speak another scheme than the registry (an http token server for an https one).
    const agent =
      url.protocol === new URL(this.target.url).protocol
        ? await this.agent()
        : this.realmAgent(url);
    const response = await send({ method: 'GET', url, headers, agent });
    if (response.status !== 200) {
      throw new Error(
        `token request for ${scope ?? '(no scope)'} answered ${response.status}: ${response.body.toString()}`,
      );
    }
    const body = JSON.parse(response.body.toString()) as {
      token?: unknown;
      access_token?: unknown;
      expires_in?: unknown;
    };
    const token = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof token !== 'string')
      throw new Error('token response has neither token nor access_token');
    // Spec: without expires_in a token lasts 60 seconds.
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 60;
    const lifetimeMs = expiresIn * 1000;
    return {
      token,
      expiresAt: Date.now() + lifetimeMs - Math.min(TOKEN_EXPIRY_MARGIN_MS, lifetimeMs / 2),
    };
  }

  private realmAgent(realm: URL): Agent {
    this.realmAgentCache ??= createAgent({ https: realm.protocol === 'https:', ca: undefined });
    return this.realmAgentCache;
  }

  private agent(): Promise<Agent> {
    this.agentPromise ??= (async () => {
      const ca =
        this.target.caFile === undefined ? undefined : await readFile(this.target.caFile, 'utf8');
      return createAgent({ https: new URL(this.target.url).protocol === 'https:', ca });
    })();
    return this.agentPromise;
  }
}

const clients = new Map<string, SupportRegistryClient>();

/** One client per target, so connections and tokens are reused across calls. */
export function clientFor(target: RegistryClientTarget): SupportRegistryClient {
  const key = JSON.stringify([target.url, target.username, target.password, target.caFile]);
  let client = clients.get(key);
  if (client === undefined) {
    client = new SupportRegistryClient(target);
    clients.set(key, client);
  }
  return client;
}
