import { randomBytes } from 'node:crypto';

export type RegistryAuthConfig =
  | { kind: 'none' }
  | { kind: 'htpasswd'; path: string }
  | { kind: 'token'; realm: string; service: string; issuer: string; rootCertBundle: string };

export interface RegistryConfigInput {
  port: number;
  storageDir: string;
  deleteEnabled: boolean;
  auth: RegistryAuthConfig;
  tls?: { certFile: string; keyFile: string };
}

function authSection(auth: RegistryAuthConfig): object | undefined {
  switch (auth.kind) {
    case 'none':
      return undefined;
    case 'htpasswd':
      return { htpasswd: { realm: 'reg-cleaner-test', path: auth.path } };
    case 'token':
      return {
        token: {
          realm: auth.realm,
          service: auth.service,
          issuer: auth.issuer,
          rootcertbundle: auth.rootCertBundle,
        },
      };
  }
}

/**
 * distribution's config file. JSON is valid YAML, and JSON.stringify gets the quoting of paths
 * right without a YAML library; `version` must be the string "0.1".
 */
export function renderRegistryConfig(input: RegistryConfigInput): string {
  const auth = authSection(input.auth);
  const config = {
    version: '0.1',
    log: {
      level: 'info',
      formatter: 'json',
      // Apache combined lines on stdout, one per request: access-log.ts parses them.
      accesslog: { disabled: false },
    },
    storage: {
      filesystem: { rootdirectory: input.storageDir },
      delete: { enabled: input.deleteEnabled },
      // No background purge of upload dirs while a test runs.
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: {
      addr: `127.0.0.1:${input.port}`,
      // Without a secret, distribution logs a warning and generates one; set it to keep stderr quiet.
      secret: randomBytes(16).toString('hex'),
      ...(input.tls === undefined
        ? {}
        : { tls: { certificate: input.tls.certFile, key: input.tls.keyFile } }),
    },
    ...(auth === undefined ? {} : { auth }),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
