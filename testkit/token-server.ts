import { createPrivateKey, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { signJwt, type JwtSigner } from './jwt.js';

export interface TokenServerOptions {
  service: string;
  issuer: string;
  username: string;
  password: string;
  signer: { keyPem: string; certPem: string };
  /** false: never grant `delete`, to test a token that lacks the permission. Default true. */
  grantDelete?: boolean;
  /** Lifetime of issued tokens; short values let tests exercise token renewal. Default 300. */
  expiresInSeconds?: number;
  /**
   * The refresh token (a Docker config `identitytoken`) that the OAuth2 `refresh_token` grant
   * accepts for `username` (distribution's spec/auth/oauth.md). Default: a fixed test value.
   */
  refreshToken?: string;
}

/** One request the token server answered, for assertions about token caching. */
export interface TokenRequestRecord {
  /** The requested scopes joined by a space, '' when none was asked for. */
  scope: string;
  /** The Basic user name the client presented, undefined for an anonymous request. */
  account: string | undefined;
  status: number;
  /** `GET` (token.md, Basic) or `POST` (oauth.md, form). */
  method: string;
  /** The POST form's `grant_type` and `client_id`. */
  grantType?: string;
  clientId?: string;
}

export interface RunningTokenServer {
  realm: string;
  /** The refresh token the `refresh_token` grant accepts. */
  refreshToken: string;
  tokenRequests(): TokenRequestRecord[];
  stop(): Promise<void>;
}

interface ResourceAccess {
  type: string;
  name: string;
  actions: string[];
}

/** `repository:team/app:pull,push`; names may contain ':' (host:port/name), actions never do. */
function parseScope(scope: string): ResourceAccess | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter((action) => action !== '');
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions };
}

function readBasicCredentials(
  request: IncomingMessage,
): { user: string; password: string } | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Basic ') !== true) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/**
 * A minimal Docker token server (distribution's spec/auth/token.md) on 127.0.0.1: checks Basic
 * credentials and grants exactly the requested actions (minus `delete` when grantDelete is false).
 */
export async function startTokenServer(options: TokenServerOptions): Promise<RunningTokenServer> {
  const signer: JwtSigner = {
    privateKey: createPrivateKey(options.signer.keyPem),
    certPem: options.signer.certPem,
  };
  const expiresIn = options.expiresInSeconds ?? 300;
  const records: TokenRequestRecord[] = [];

  const refreshToken = options.refreshToken ?? 'r3fresh-T0ken-for-the-test-user';

  const handle = (
    request: IncomingMessage,
    form: URLSearchParams,
    response: ServerResponse,
  ): void => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const post = request.method === 'POST';
    // GET: `scope` query parameters; POST: one space-delimited `scope` in the form.
    const scopes = (post ? form.getAll('scope') : url.searchParams.getAll('scope'))
      .flatMap((scope) => scope.split(' '))
      .filter((s) => s !== '');
    const credentials = readBasicCredentials(request);
    const record: TokenRequestRecord = {
      scope: scopes.join(' '),
      account: credentials?.user,
      status: 200,
      method: request.method ?? '',
      ...(post
        ? { grantType: form.get('grant_type') ?? '', clientId: form.get('client_id') ?? '' }
        : {}),
    };
    records.push(record);

    // oauth.md: grant_type, service and client_id are required; the refresh token stands for the user.
    const subject = post
      ? form.get('grant_type') === 'refresh_token' &&
        sameSecret(form.get('refresh_token') ?? '', refreshToken) &&
        form.get('service') === options.service &&
        (form.get('client_id') ?? '') !== ''
        ? options.username
        : undefined
      : credentials !== undefined &&
          sameSecret(credentials.user, options.username) &&
          sameSecret(credentials.password, options.password)
        ? credentials.user
        : undefined;
    if (url.pathname !== '/token' || (request.method !== 'GET' && !post)) {
      record.status = 404;
      sendJson(response, 404, { errors: [{ code: 'NOT_FOUND', message: 'no such endpoint' }] });
      return;
    }
    if (subject === undefined) {
      record.status = 401;
      sendJson(
        response,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
        { 'www-authenticate': 'Basic realm="reg-cleaner test token server"' },
      );
      return;
    }

    const access = scopes
      .map(parseScope)
      .filter((resource): resource is ResourceAccess => resource !== undefined)
      .map((resource) => ({
        ...resource,
        actions: resource.actions.filter(
          (action) => action !== 'delete' || options.grantDelete !== false,
        ),
      }));
    const issuedAt = new Date();
    const now = Math.floor(issuedAt.getTime() / 1000);
    const token = signJwt(
      {
        iss: options.issuer,
        sub: subject,
        aud: options.service,
        exp: now + expiresIn,
        nbf: now - 5,
        iat: now,
        jti: randomUUID(),
        access,
      },
      signer,
    );
    // Both names: Docker's spec says `token`, OAuth2-minded clients read `access_token`; the
    // oauth.md answer also carries the scope granted.
    sendJson(response, 200, {
      token,
      access_token: token,
      expires_in: expiresIn,
      issued_at: issuedAt.toISOString(),
      ...(post ? { scope: scopes.join(' ') } : {}),
    });
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      handle(request, new URLSearchParams(Buffer.concat(chunks).toString('utf8')), response);
    });
  });
  // A forgotten stop() must not keep the test process alive.
  server.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('token server has no TCP address');
  const port = address.port;

  return {
    realm: `http://127.0.0.1:${port}/token`,
    refreshToken,
    tokenRequests: () => records.map((record) => ({ ...record })),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
