import { createHash } from 'node:crypto';

const DIGEST_PATTERN = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;
const HASHES: Readonly<Record<string, { readonly nodeName: string; readonly hexLength: number }>> =
  {
    sha256: { nodeName: 'sha256', hexLength: 64 },
    sha512: { nodeName: 'sha512', hexLength: 128 },
  };

const SHA256_LENGTH = 'sha256:'.length + 64;
const SHA256_HEX = /^sha256:[0-9a-f]{64}$/;

/** An OCI content digest (`algorithm:encoded`), as the registry accepts in a URL path. */
export function isDigest(value: string): boolean {
  if (value.length === SHA256_LENGTH && value.startsWith('sha256:')) {
    // The common case, checked without the general pattern (called for every cached fact).
    return SHA256_HEX.test(value);
  }
  const match = DIGEST_PATTERN.exec(value);
  if (match === null) {
    return false;
  }
  const algorithm = match[1] ?? '';
  const encoded = match[2] ?? '';
  const known = HASHES[algorithm];
  return known === undefined || (encoded.length === known.hexLength && /^[0-9a-f]+$/.test(encoded));
}

/** `sha256:<hex>` of exactly these bytes (the registry's digest of a manifest without the header). */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Whether `bytes` hash to `digest`. True for an algorithm we cannot compute (nothing to check
 * against), false for a malformed digest.
 */
export function matchesDigest(bytes: Uint8Array, digest: string): boolean {
  const match = DIGEST_PATTERN.exec(digest);
  if (match === null) {
    return false;
  }
  const known = HASHES[match[1] ?? ''];
  if (known === undefined) {
    return true;
  }
  return createHash(known.nodeName).update(bytes).digest('hex') === match[2];
}
