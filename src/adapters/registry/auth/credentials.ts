export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** `Authorization` value for HTTP Basic (RFC 7617, UTF-8). */
export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/** The message for refused credentials: the user is named, the password never. */
export function credentialsRefused(credentials: Credentials, who: string): string {
  return (
    `${who} refused the credentials for user ${JSON.stringify(credentials.username)} (401): ` +
    'check username and password in config.yaml'
  );
}
