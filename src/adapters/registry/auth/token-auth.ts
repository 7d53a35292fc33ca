import { RegistryError } from '../../../application/ports/registry.port.js';
import type { HttpSender } from '../transport/registry-http-client.js';
import { safeUrl } from '../safe-url.js';
import type { RegistryRequest } from '../transport/registry-http-client.js';
import { basicAuthorization, credentialsRefused, HOW_TO_GIVE_CREDENTIALS } from './credentials.js';
import type { Login, LoginSource } from './login.js';

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
/** The OAuth2 `client_id` (distribution's spec/auth/oauth.md: unregistered, for auditing). */
const CLIENT_ID = 'reg-cleaner';

/**
 * Bearer tokens (distribution "token authentication specification"), one per scope key, cached
 * until `expires_in` minus a margin. Concurrent requests for one key share one token request.
 */
export class TokenAuth {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<string>>();

  /** Whether the login was ever accepted: only then is a refusal worth asking its source again. */
  private accepted = false;

  constructor(
    private readonly http: HttpSender,
    private readonly login: LoginSource,
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

  /** Why the token server said 401, naming where the login came from, never the login. */
  private refusal(login: Login, where: string): string {
    switch (login.kind) {
      case 'anonymous':
        return `${where} requires credentials, and none were found: ${HOW_TO_GIVE_CREDENTIALS}`;
      case 'basic':
        return credentialsRefused(login.credentials, where, this.login.origin);
      case 'identity-token':
      case 'registry-token':
        return `${where} refused the identity token from ${this.login.origin} (401): log in again (docker login)`;
    }
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
    const requestedAt = this.now().getTime();
    const where = `the token server ${safeUrl(`${url.origin}${url.pathname}`)}`;
    let login = await this.login.current();
    let response = await this.http.send(tokenRequest(url, realm, scopes, login));
    if (response.status === 401 && this.accepted) {
      // A helper's short-lived token may have expired mid-run: ask the helper once more.
      const renewed = await this.login.renew();
      if (renewed !== undefined) {
        login = renewed;
        response = await this.http.send(tokenRequest(url, realm, scopes, login));
      }
    }
    if (response.status === 401) {
      throw new RegistryError('auth', this.refusal(login, where), 401);
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
    this.accepted = true;
    const { token, expiresInS } = parseTokenReply(response.body, where);
    const lifetimeMs = expiresInS * 1000;
    const margin = Math.min(MAX_EXPIRY_MARGIN_MS, lifetimeMs / 4);
    this.cache.set(key, { token, expiresAt: requestedAt + lifetimeMs - margin });
    return token;
  }
}

/**
 * The token request for a login: a refresh token goes in an OAuth2 `refresh_token` grant (POST,
 * form-encoded, distribution's spec/auth/oauth.md); a user and password as Basic on the GET of
 * spec/auth/token.md; no login, the same GET without them.
 */
function tokenRequest(
  realmUrl: URL,
  realm: TokenRealm,
  scopes: readonly string[],
  login: Login,
): RegistryRequest {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (login.kind === 'identity-token') {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: login.token });
    if (realm.service !== undefined) form.set('service', realm.service);
    form.set('client_id', CLIENT_ID);
    if (scopes.length > 0) form.set('scope', scopes.join(' '));
    return {
      kind: 'token',
      method: 'POST',
      url: realmUrl.toString(),
      headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(form.toString(), 'utf8'),
    };
  }
  const url = new URL(realmUrl);
  if (realm.service !== undefined) url.searchParams.set('service', realm.service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  if (login.kind === 'basic') headers['Authorization'] = basicAuthorization(login.credentials);
  return { kind: 'token', method: 'GET', url: url.toString(), headers };
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
