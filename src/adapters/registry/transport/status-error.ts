import { RegistryError, type RegistryErrorKind } from '../../../application/ports/registry.port.js';
import type { RegistryResponse } from './registry-http-client.js';

/** The first `{code, message}` of a distribution error body (`{"errors": [...]}`), if any. */
export function registryErrorCode(
  response: RegistryResponse,
): { code: string; message: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return undefined;
  }
  const errors = (parsed as { errors?: unknown }).errors;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  if (typeof first !== 'object' || first === null) {
    return undefined;
  }
  const { code, message } = first as { code?: unknown; message?: unknown };
  if (typeof code !== 'string') {
    return undefined;
  }
  return { code, message: typeof message === 'string' ? message.slice(0, 200) : '' };
}

function kindOf(status: number): RegistryErrorKind {
  if (status === 401) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 405) return 'unsupported';
  if (status === 429) return 'rate-limited';
  if (status === 408 || status >= 500) return 'unavailable';
  return 'invalid-response';
}

/** A RegistryError for an unexpected status: `what` says which request, e.g. `GET tags of team/app`. */
export function statusError(response: RegistryResponse, what: string): RegistryError {
  const registryCode = registryErrorCode(response);
  const detail =
    registryCode === undefined
      ? ''
      : ` ${registryCode.code}${registryCode.message === '' ? '' : `: ${registryCode.message}`}`;
  if (response.status === 407) {
    // Not the registry: the proxy in between wants (other) credentials.
    return new RegistryError(
      'auth',
      `${what}: the proxy answered 407 (Proxy Authentication Required): check the user and password of the proxy setting`,
      407,
    );
  }
  const hint =
    response.status === 401
      ? ' (the registry refused the credentials)'
      : response.status === 429 || response.status >= 500
        ? ' (after retries)'
        : '';
  return new RegistryError(
    kindOf(response.status),
    `${what}: the registry answered ${response.status}${detail}${hint}`,
    response.status,
  );
}
