export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** `Authorization` value for HTTP Basic (RFC 7617, UTF-8). */
export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/** The message for refused credentials: the user and where they came from, the password never. */
export function credentialsRefused(
  credentials: Credentials,
  who: string,
  origin = 'config.yaml',
): string {
  return (
    `${who} refused the credentials for user ${JSON.stringify(credentials.username)} (401): ` +
    `check them in ${origin}`
  );
}

/** Said when the registry wants credentials and no source gave any (issue 23). */
export const HOW_TO_GIVE_CREDENTIALS =
  'set username and password in config.yaml, or log in with `docker login <registry host>` ' +
  '(read from $DOCKER_CONFIG/config.json, else ~/.docker/config.json)';
