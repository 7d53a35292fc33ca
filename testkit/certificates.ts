import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface SelfSignedCertificate {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

/**
 * A self-signed RSA certificate made with the openssl CLI (Node's crypto can make keys but not
 * X.509 certificates). Used both for the registry's https listener and as the token issuer's
 * certificate, which is also the root the registry trusts.
 */
export async function createSelfSignedCertificate(
  dir: string,
  name: string,
  options: { commonName: string; ipAddress?: string },
): Promise<SelfSignedCertificate> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const args = [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-sha256',
    '-days',
    '2',
    '-subj',
    `/CN=${options.commonName}`,
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ];
  if (options.ipAddress !== undefined) {
    // Go's TLS client checks IP SANs, never the CN.
    args.push('-addext', `subjectAltName=IP:${options.ipAddress}`);
  }
  await execFileAsync('openssl', args);
  const [certPem, keyPem] = await Promise.all([
    readFile(certFile, 'utf8'),
    readFile(keyFile, 'utf8'),
  ]);
  return { certFile, keyFile, certPem, keyPem };
}
