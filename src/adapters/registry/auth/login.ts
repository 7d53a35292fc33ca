import type { DockerLogin } from '../registry-settings.js';
import type { AskHelper } from './credential-helper.js';
import type { Credentials } from './credentials.js';

/** What a request is authenticated with, once its source was read. */
export type Login =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'basic'; readonly credentials: Credentials }
  /** An OAuth2 refresh token for the token realm (distribution's spec/auth/oauth.md). */
  | { readonly kind: 'identity-token'; readonly token: string }
  /** A bearer token sent to the registry as it is. */
  | { readonly kind: 'registry-token'; readonly token: string };

/** Where a login comes from; read on first need, never logged. */
export interface LoginSource {
  /** Where the credentials come from (never a secret), for messages. */
  readonly origin: string;
  current(): Promise<Login>;
  /**
   * The registry refused a login that had worked (a helper's short-lived token expired):
   * asks the source again, once per process. undefined when there is nothing to ask again.
   */
  renew(): Promise<Login | undefined>;
}

/** The docker-credential-helpers convention: this user means the Secret is an identity token. */
const TOKEN_USER = '<token>';

/** A login known up front: config.yaml's, or a Docker config `auths` entry's. */
export function fixedLogin(login: Login, origin: string): LoginSource {
  const answer = Promise.resolve(login);
  return { origin, current: () => answer, renew: () => Promise.resolve(undefined) };
}

/**
 * A credential helper's login: asked on first need and then remembered, so that it runs once
 * per registry per process; a failure is forgotten (the next job asks again). `renew` asks
 * once more after the registry refused what it gave.
 */
export class HelperLogin implements LoginSource {
  private answer: Promise<Login> | undefined;
  private renewed = false;

  constructor(
    private readonly helper: string,
    private readonly server: string,
    readonly origin: string,
    private readonly ask: AskHelper,
  ) {}

  current(): Promise<Login> {
    if (this.answer === undefined) {
      const answer = this.read();
      this.answer = answer;
      answer.catch(() => {
        if (this.answer === answer) this.answer = undefined;
      });
    }
    return this.answer;
  }

  async renew(): Promise<Login | undefined> {
    if (this.renewed) return undefined;
    this.renewed = true;
    this.answer = undefined;
    return this.current();
  }

  private async read(): Promise<Login> {
    const answer = await this.ask(this.helper, this.server);
    if (answer.kind === 'not-found') return { kind: 'anonymous' };
    if (answer.username === TOKEN_USER) return { kind: 'identity-token', token: answer.secret };
    return {
      kind: 'basic',
      credentials: { username: answer.username, password: answer.secret },
    };
  }
}

/** The login source of the registry settings: config.yaml's, the Docker config's, or none. */
export function loginSourceOf(
  settings: {
    readonly credentials?: Credentials | undefined;
    readonly dockerLogin?: DockerLogin | undefined;
    readonly credentialsFrom?: string | undefined;
  },
  ask: AskHelper,
): LoginSource {
  const origin = settings.credentialsFrom ?? 'config.yaml';
  if (settings.credentials !== undefined) {
    return fixedLogin({ kind: 'basic', credentials: settings.credentials }, origin);
  }
  const docker = settings.dockerLogin;
  if (docker === undefined) return fixedLogin({ kind: 'anonymous' }, origin);
  switch (docker.kind) {
    case 'identity-token':
    case 'registry-token':
      return fixedLogin(docker, origin);
    case 'helper':
      return new HelperLogin(docker.helper, docker.server, origin, ask);
  }
}
