import { RegistryError } from '../../application/ports/registry.port.js';
import { isDigest } from '../shared/digest.js';
import type { RegistryAuth } from './auth/registry-auth.js';
import { manifestUrl } from './registry-urls.js';
import { pullScope } from './repository-sender.js';
import { registryErrorCode, statusError } from './transport/status-error.js';

/**
 * `DELETE /v2/<name>/manifests/<digest>` (behaviour.md section 3): 'deleted' for 202,
 * 'already-gone' for 404. Throws RegistryError 'unsupported' (405, deletion disabled) and
 * 'auth'/'forbidden' (no delete permission), each saying what to do.
 */
export async function deleteByDigest(
  auth: RegistryAuth,
  baseUrl: string,
  repository: string,
  digest: string,
): Promise<'deleted' | 'already-gone'> {
  if (!isDigest(digest)) {
    // Deleting by tag is not what this means (and distribution refuses it anyway).
    throw new Error(`deleteManifest needs a digest, got ${JSON.stringify(digest)}`);
  }
  const response = await auth.send(
    { kind: 'delete', method: 'DELETE', url: manifestUrl(baseUrl, repository, digest) },
    pullScope(repository, 'delete'),
  );
  const status = response.status;
  if (status === 202 || status === 200 || status === 204) {
    return 'deleted';
  }
  if (status === 404) {
    return 'already-gone';
  }
  if (status === 405 || registryErrorCode(response)?.code === 'UNSUPPORTED') {
    throw new RegistryError(
      'unsupported',
      `the registry refused to delete ${repository}@${digest} (${status} UNSUPPORTED): deletion is disabled on the registry. ` +
        "Enable it with storage.delete.enabled: true in the registry's config.yml (or REGISTRY_STORAGE_DELETE_ENABLED=true); " +
        'a pull-through cache (proxy) registry never allows deletion.',
      status,
    );
  }
  if (status === 401 || status === 403) {
    throw new RegistryError(
      status === 401 ? 'auth' : 'forbidden',
      `the registry refused to delete ${repository}@${digest} (${status}): the account lacks delete permission on ${repository}`,
      status,
    );
  }
  throw statusError(response, `DELETE ${repository}@${digest}`);
}
