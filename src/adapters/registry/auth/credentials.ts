export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** `Authorization` value for HTTP Basic (RFC 7617, UTF-8). */
export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}
