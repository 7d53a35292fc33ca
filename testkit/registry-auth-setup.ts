import { join } from 'node:path';
import { createSelfSignedCertificate, type SelfSignedCertificate } from './certificates.js';
import { writeHtpasswd } from './htpasswd.js';
import type { RegistryAuthConfig } from './registry-config.js';
import type { StartRegistryOptions } from './registry-server.js';
import { startTokenServer, type RunningTokenServer } from './token-server.js';

const SERVICE = 'reg-cleaner-test-registry';
const ISSUER = 'reg-cleaner-test-token-issuer';

export interface PreparedAuth {
  auth: RegistryAuthConfig;
  tokenServer?: RunningTokenServer;
  tls?: SelfSignedCertificate;
}

/** Credentials files, certificates and (for 'token') a running token server for one registry. */
export async function prepareAuth(
  dir: string,
  options: StartRegistryOptions,
  credentials: { username: string; password: string },
): Promise<PreparedAuth> {
  const tls =
    options.tls === true
      ? await createSelfSignedCertificate(dir, 'tls', {
          commonName: '127.0.0.1',
          ipAddress: '127.0.0.1',
        })
      : undefined;
  const withTls = tls === undefined ? {} : { tls };
  switch (options.auth ?? 'none') {
    case 'none':
      return { auth: { kind: 'none' }, ...withTls };
    case 'basic': {
      const path = join(dir, 'htpasswd');
      await writeHtpasswd(path, credentials.username, credentials.password);
      return { auth: { kind: 'htpasswd', path }, ...withTls };
    }
    case 'token': {
      const signer = await createSelfSignedCertificate(dir, 'token-signer', { commonName: ISSUER });
      const tokenServer = await startTokenServer({
        service: SERVICE,
        issuer: ISSUER,
        ...credentials,
        signer: { keyPem: signer.keyPem, certPem: signer.certPem },
        ...(options.token?.grantDelete === undefined
          ? {}
          : { grantDelete: options.token.grantDelete }),
        ...(options.token?.expiresInSeconds === undefined
          ? {}
          : { expiresInSeconds: options.token.expiresInSeconds }),
      });
      const auth: RegistryAuthConfig = {
        kind: 'token',
        realm: tokenServer.realm,
        service: SERVICE,
        issuer: ISSUER,
        rootCertBundle: signer.certFile,
      };
      return { auth, tokenServer, ...withTls };
    }
  }
}
