import { RegistryError } from '../../../application/ports/registry.port.js';
import type {
  HttpSender,
  RegistryRequest,
  RegistryResponse,
} from '../transport/registry-http-client.js';
import { statusError } from '../transport/status-error.js';
import {
  basicAuthorization,
  credentialsRefused,
  HOW_TO_GIVE_CREDENTIALS,
  type Credentials,
} from './credentials.js';
import { fixedLogin, type Login, type LoginSource } from './login.js';
import { TokenAuth, type TokenRealm } from './token-auth.js';
import { findChallenge, parseWwwAuthenticate, type Challenge } from './www-authenticate.js';

/** What `GET /v2/` said about authentication. */
export type AuthMode =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic' }
  | { readonly kind: 'bearer'; readonly realm: TokenRealm };

/** Token scopes (distribution token spec, "Requesting a Token"). */
export const CATALOG_SCOPE = 'registry:catalog:*';
export function repositoryScope(
  repository: string,
  actions: 'pull' | 'pull,delete' | 'pull,push' | 'pull,push,delete',
): string {
  return `repository:${repository}:${actions}`;
}

function bearerRealm(challenge: Challenge | undefined): TokenRealm | undefined {
  const realm = challenge?.params.get('realm');
  if (challenge === undefined || realm === undefined || realm === '') {
    return undefined;
  }
  return { realm, service: challenge.params.get('service') };
}

/**
 * Authentication for every registry request: one `GET /v2/` probe per instance (memoized; a
 * failed probe is forgotten so that a later job may try again), then anonymous, Basic
 * (credentials sent only once the probe asked for them) or Bearer tokens per scope. A 401
 * leads to one re-authentication from its challenge; a second 401 is returned to the caller.
 */
export class RegistryAuth {
  private probe: Promise<AuthMode> | undefined;
  private readonly tokens: TokenAuth;
  private readonly login: LoginSource;
  /** Whether a request with the login was accepted: only then may a 401 renew it. */
  private accepted = false;

  /** `login`: config.yaml's user and password (tests), or where the credentials come from. */
  constructor(
    private readonly http: HttpSender,
    private readonly baseUrl: string,
    login: Credentials | LoginSource | undefined,
    now: () => Date,
  ) {
    this.login =
      login === undefined
        ? fixedLogin({ kind: 'anonymous' }, 'config.yaml')
        : 'current' in login
          ? login
          : fixedLogin({ kind: 'basic', credentials: login }, 'config.yaml');
    this.tokens = new TokenAuth(http, this.login, now);
  }

  mode(): Promise<AuthMode> {
    if (this.probe === undefined) {
      const probe = this.runProbe();
      this.probe = probe;
      probe.catch(() => {
        if (this.probe === probe) {
          this.probe = undefined;
        }
      });
    }
    return this.probe;
  }

  /** Sends `request` with the authorization `scope` needs; at most one re-authentication. */
  async send(request: RegistryRequest, scope: string): Promise<RegistryResponse> {
    const mode = await this.mode();
    // An open registry needs no login: a credential helper is not even run for it.
    const login: Login = mode.kind === 'none' ? { kind: 'anonymous' } : await this.login.current();
    const authorization = await this.authorizationFor(mode, scope, login);
    const first = await this.http.send(withAuthorization(request, authorization));
    if (first.status !== 401) {
      this.accepted ||= authorization !== undefined;
      return first;
    }
    const retryAuthorization = await this.reauthenticate(scope, first, authorization, login);
    if (retryAuthorization === undefined) {
      this.refuseCredentials(mode, first, login);
      return first;
    }
    const second = await this.http.send(withAuthorization(request, retryAuthorization));
    if (second.status === 401) this.refuseCredentials(mode, second, login);
    return second;
  }

  /**
   * A 401 to a request that carried the configured Basic credentials means they are wrong:
   * said once, naming the user, so that the job stops instead of every repository (and the
   * catalog) failing with its own vaguer 401.
   */
  private refuseCredentials(mode: AuthMode, response: RegistryResponse, login: Login): void {
    if (response.status !== 401) return;
    if (login.kind === 'registry-token') {
      throw new RegistryError(
        'auth',
        `the registry refused the registry token from ${this.login.origin} (401): log in again`,
        401,
      );
    }
    if (mode.kind !== 'basic' || login.kind !== 'basic') return;
    throw new RegistryError(
      'auth',
      credentialsRefused(login.credentials, 'the registry', this.login.origin),
      401,
    );
  }

  private async authorizationFor(
    mode: AuthMode,
    scope: string,
    login: Login,
  ): Promise<string | undefined> {
    // A registry token is the bearer token itself, whatever the probe said (docker does so).
    if (login.kind === 'registry-token') return `Bearer ${login.token}`;
    switch (mode.kind) {
      case 'none':
        return undefined;
      case 'basic':
        return basicFor(login, this.login.origin);
      case 'bearer':
        return `Bearer ${await this.tokens.token(scope, [scope], mode.realm)}`;
    }
  }

  private async reauthenticate(
    scope: string,
    refused: RegistryResponse,
    sent: string | undefined,
    login: Login,
  ): Promise<string | undefined> {
    if (login.kind === 'registry-token') return undefined;
    const challenges = parseWwwAuthenticate(refused.headers['www-authenticate'] ?? '');
    const bearer = findChallenge(challenges, 'bearer');
    const realm = bearerRealm(bearer);
    if (realm !== undefined) {
      // The challenge names the scope this request needs (e.g. `repository:x:delete`); asking
      // for it together with ours keeps one token valid for every request of this key.
      const challenged = (bearer?.params.get('scope') ?? '')
        .split(' ')
        .filter((item) => item !== '');
      const scopes = [...new Set([scope, ...challenged])];
      const stale = sent?.startsWith('Bearer ') === true ? sent.slice('Bearer '.length) : undefined;
      return `Bearer ${await this.tokens.refresh(scope, scopes, realm, stale)}`;
    }
    if (findChallenge(challenges, 'basic') === undefined) return undefined;
    if (sent === undefined) return basicFor(login, this.login.origin);
    if (!this.accepted) return undefined;
    // Accepted before, refused now: a helper's short-lived password expired. Ask it once more.
    const renewed = await this.login.renew();
    return renewed === undefined ? undefined : basicFor(renewed, this.login.origin);
  }

  private async runProbe(): Promise<AuthMode> {
    const url = `${this.baseUrl}/v2/`;
    const response = await this.http.send({ kind: 'probe', method: 'GET', url });
    if (response.status >= 200 && response.status <= 299) {
      return { kind: 'none' };
    }
    if (response.status === 401) {
      const challenges = parseWwwAuthenticate(response.headers['www-authenticate'] ?? '');
      const realm = bearerRealm(findChallenge(challenges, 'bearer'));
      if (realm !== undefined) {
        return { kind: 'bearer', realm };
      }
      if (findChallenge(challenges, 'basic') !== undefined) {
        const login = await this.login.current();
        if (login.kind === 'anonymous') {
          throw new RegistryError(
            'auth',
            `the registry requires a username and password (Basic auth), and none were found: ${HOW_TO_GIVE_CREDENTIALS}`,
            401,
          );
        }
        return { kind: 'basic' };
      }
      throw new RegistryError(
        'auth',
        'the registry answered 401 to GET /v2/ without a Basic or Bearer challenge',
        401,
      );
    }
    if (response.status === 404) {
      throw new RegistryError(
        'invalid-response',
        `no Registry API v2 at ${this.baseUrl} (GET /v2/ answered 404); check registry_url`,
        404,
      );
    }
    throw statusError(response, 'GET /v2/ (API version check)');
  }
}

/** Basic for a user and password; a refresh token needs a token server, which Basic lacks. */
function basicFor(login: Login, origin: string): string | undefined {
  switch (login.kind) {
    case 'anonymous':
      return undefined;
    case 'basic':
      return basicAuthorization(login.credentials);
    case 'identity-token':
      throw new RegistryError(
        'auth',
        `${origin} gives an identity token, but the registry asks for Basic auth (a user and password)`,
        401,
      );
    case 'registry-token':
      return `Bearer ${login.token}`;
  }
}

function withAuthorization(
  request: RegistryRequest,
  authorization: string | undefined,
): RegistryRequest {
  if (authorization === undefined) {
    return request;
  }
  return { ...request, headers: { ...request.headers, Authorization: authorization } };
}
