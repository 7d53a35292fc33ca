import { createSign, X509Certificate, type KeyObject } from 'node:crypto';

export interface JwtSigner {
  privateKey: KeyObject;
  /** PEM of the certificate for privateKey; goes into the x5c header. */
  certPem: string;
}

function base64Url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * RS256 JWT with the signing certificate in `x5c`. distribution 2.8 tries x5c first (then jwk,
 * then kid): it verifies the chain against `auth.token.rootcertbundle`, and a self-signed
 * certificate that is itself in that bundle verifies as a chain of one. x5c entries are plain
 * (not URL-safe) base64 DER, as RFC 7515 section 4.1.6 says.
 */
export function signJwt(payload: object, signer: JwtSigner): string {
  const certDer = new X509Certificate(signer.certPem).raw;
  const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
  const signingInput = `${base64Url(JSON.stringify(header))}.${base64Url(JSON.stringify(payload))}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(signer.privateKey);
  return `${signingInput}.${base64Url(signature)}`;
}
