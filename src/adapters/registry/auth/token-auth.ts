import { RegistryError } from '../../../application/ports/registry.port.js';
import type { HttpSender } from '../transport/registry-http-client.js';
import { safeUrl } from '../../shared/secrets/safe-url.js';
import { basicAuthorization, credentialsRefused, type Credentials } from './credentials.js';

/** Where to ask for tokens: the `realm` and `service` of a Bearer challenge. */
export interface TokenRealm {
  readonly realm: string;
  readonly service: string | undefined;
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/** The token spec's default when the reply has no `expires_in`. */
const DEFAULT_EXPIRES_IN_S = 60;
/** Stop using a token this long before it expires (clock skew, requests in flight). */
const MAX_EXPIRY_MARGIN_MS = 30_000;

/**
 * Bearer tokens (distribution "token authentication specification"), one per scope key, cached
 * until `expires_in` minus a margin. Concurrent requests for one key share one token request.
 */
export class TokenAuth {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly http: HttpSender,
    private readonly credentials: Credentials | undefined,
    private readonly now: () => Date,
  ) {}

  /** A valid token for `key` (requesting `scopes`), from the cache or the realm. */
  token(key: string, scopes: readonly string[], realm: TokenRealm): Promise<string> {
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.expiresAt > this.now().getTime()) {
      return Promise.resolve(cached.token);
    }
    return this.fetchShared(key, scopes, realm);
  }

  /**
   * A new token after the registry refused `stale`. If another request already replaced it,
   * that newer token is used; otherwise one token request is shared by every caller.
   */
  refresh(
    key: string,
    scopes: readonly string[],
    realm: TokenRealm,
    stale: string | undefined,
  ): Promise<string> {
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.token !== stale && cached.expiresAt > this.now().getTime()) {
      return Promise.resolve(cached.token);
    }
    const pending = this.inFlight.get(key);
    if (pending !== undefined) {
      return pending;
    }
    this.cache.delete(key);
    return this.fetchShared(key, scopes, realm);
  }

  private fetchShared(key: string, scopes: readonly string[], realm: TokenRealm): Promise<string> {
    const pending = this.inFlight.get(key);
    if (pending !== undefined) {
      return pending;
    }
    const request = this.fetch(key, scopes, realm).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, request);
    return request;
  }

  private async fetch(key: string, scopes: readonly string[], realm: TokenRealm): Promise<string> {
    let url: URL;
    try {
      url = new URL(realm.realm);
    } catch {
      throw new RegistryError(
        'auth',
        "the registry's Bearer challenge names a realm that is not a URL",
      );
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new RegistryError(
        'auth',
        "the registry's Bearer challenge names a realm that is not an http(s) URL",
      );
    }
    if (realm.service !== undefined) {
      url.searchParams.set('service', realm.service);
    }
    for (const scope of scopes) {
      url.searchParams.append('scope', scope);
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.credentials !== undefined) {
      headers['Authorization'] = basicAuthorization(this.credentials);
    }
    const requestedAt = this.now().getTime();
    const response = await this.http.send({
      kind: 'token',
      method: 'GET',
      url: url.toString(),
      headers,
    });
    const where = `the token server ${safeUrl(`${url.origin}${url.pathname}`)}`;
    if (response.status === 401) {
      throw new RegistryError(
        'auth',
        this.credentials === undefined
          ? `${where} requires a username and password, and none are configured`
          : credentialsRefused(this.credentials, where),
        401,
      );
    }
    if (response.status === 403) {
      throw new RegistryError(
        'forbidden',
        `${where} refused a token for ${scopes.join(' ')} (403)`,
        403,
      );
    }
    if (response.status < 200 || response.status > 299) {
      const kind =
        response.status === 429 ? 'rate-limited' : response.status >= 500 ? 'unavailable' : 'auth';
      throw new RegistryError(
        kind,
        `${where} answered ${response.status} to a token request`,
        response.status,
      );
    }
    const { token, expiresInS } = parseTokenReply(response.body, where);
    const lifetimeMs = expiresInS * 1000;
    const margin = Math.min(MAX_EXPIRY_MARGIN_MS, lifetimeMs / 4);
    this.cache.set(key, { token, expiresAt: requestedAt + lifetimeMs - margin });
    return token;
  }
}

function parseTokenReply(body: Buffer, where: string): { token: string; expiresInS: number } {
  let reply: unknown;
  try {
    reply = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RegistryError('invalid-response', `${where} did not answer with JSON`);
  }
  if (typeof reply !== 'object' || reply === null) {
    throw new RegistryError('invalid-response', `${where} did not answer with a JSON object`);
  }
  const fields = reply as Record<string, unknown>;
  // `token` per the distribution spec, `access_token` for OAuth2-style servers.
  const token = [fields['token'], fields['access_token']].find(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  if (token === undefined) {
    throw new RegistryError('invalid-response', `${where} answered without a token`);
  }
  const expiresIn = fields['expires_in'];
  const expiresInS =
    typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0
      ? expiresIn
      : DEFAULT_EXPIRES_IN_S;
  return { token, expiresInS };
}
