import type { RegistryErrorKind } from '../../../application/ports/registry.port.js';
import { isRetryableCode } from './retry-policy.js';

/** Why no HTTP response could be had. */
export interface TransportFailure {
  readonly code: string;
  readonly kind: RegistryErrorKind;
  readonly retryable: boolean;
  readonly detail: string;
}

// OpenSSL verification results as Node reports them (error.code).
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
};

/** The code of a failed request, the socket's own when axios wrapped it. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const own = (error as { code?: unknown }).code;
  const cause = (error as { cause?: unknown }).cause;
  const causeCode =
    typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  // axios wraps the socket's error: prefer the precise cause (e.g. a certificate code).
  if (typeof causeCode === 'string') {
    return causeCode;
  }
  return typeof own === 'string' ? own : undefined;
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Defensive: no library should echo a credential, but never let one through.
  return message.replace(/(Bearer|Basic)\s+\S+/gi, '$1 ***').slice(0, 200);
}

/** Classifies a failed request (thrown by node:http, the socket or TLS). */
export function transportFailureOf(
  error: unknown,
  deadlineHit: boolean,
  timeoutMs: number,
): TransportFailure {
  const seconds = Math.round(timeoutMs / 100) / 10;
  if (deadlineHit) {
    return {
      code: 'DEADLINE',
      kind: 'unavailable',
      retryable: true,
      detail: `no complete answer within ${seconds} s (timeout)`,
    };
  }
  const code = errorCode(error) ?? 'UNKNOWN';
  if (code === 'ERR_BAD_RESPONSE' && /aborted/i.test(errorMessage(error))) {
    // axios reports a connection that died in the middle of the body as "stream has been
    // aborted" (ERR_BAD_RESPONSE): it is a connection reset, and as transient as one.
    return {
      code: 'ECONNRESET',
      kind: 'unavailable',
      retryable: true,
      detail: 'connection reset while receiving the answer (ECONNRESET)',
    };
  }
  if (CERTIFICATE_CODES.has(code)) {
    return {
      code,
      kind: 'tls',
      retryable: false,
      detail: `TLS certificate verification failed (${code})`,
    };
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO') {
    return {
      code,
      kind: 'tls',
      retryable: false,
      detail: `TLS handshake failed (${code}); check that registry_url uses the scheme the registry speaks`,
    };
  }
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
    return {
      code,
      kind: 'unavailable',
      retryable: true,
      detail: `no answer within ${seconds} s (timeout)`,
    };
  }
  if (
    code === 'BODY_TOO_LARGE' ||
    code === 'ERR_FR_MAX_CONTENT_LENGTH_EXCEEDED' ||
    /maxContentLength/.test(errorMessage(error))
  ) {
    return {
      code: 'BODY_TOO_LARGE',
      kind: 'invalid-response',
      retryable: false,
      detail: 'the response body is too large',
    };
  }
  const described = DESCRIPTIONS[code];
  return {
    code,
    kind: 'unavailable',
    retryable: isRetryableCode(code),
    detail: described !== undefined ? `${described} (${code})` : errorMessage(error),
  };
}

export function describeTransportFailure(
  method: string,
  url: string,
  failure: TransportFailure,
  retries: number,
): string {
  const after = retries > 0 ? ` (after ${retries} ${retries === 1 ? 'retry' : 'retries'})` : '';
  if (failure.kind === 'tls') {
    return (
      `${method} ${url}: ${failure.detail}. If the registry's certificate comes from a private or self-signed CA, ` +
      "set ca_file in config.yaml to that CA's PEM file; insecure: true turns verification off (not recommended)."
    );
  }
  return `${method} ${url} failed: ${failure.detail}${after}`;
}
