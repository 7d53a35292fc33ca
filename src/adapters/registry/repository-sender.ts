import { inject, injectable } from 'inversify';
import type { RepositoryAccess } from '../../application/ports/registry.port.js';
import { RegistryAuth, repositoryScope } from './auth/registry-auth.js';
import { RecentManifests } from './manifests/recent-manifests.js';
import type { RepositorySend } from './manifests/manifest-resolver.js';
import type { RegistryRequest, RegistryResponse } from './transport/registry-http-client.js';

/** The token scope a repository request needs for the access the run asked for. */
export function pullScope(repository: string, access: RepositoryAccess): string {
  switch (access) {
    case 'read':
      return repositoryScope(repository, 'pull');
    case 'delete':
      return repositoryScope(repository, 'pull,delete');
    case 'restore':
      return repositoryScope(repository, 'pull,push');
  }
}

/**
 * What the manifest resolver and the manifest copies send through: auth with the scope of the
 * access asked for, and in a real run each manifest read noted for the deletion journal.
 */
@injectable()
export class RepositorySender {
  constructor(
    @inject(RegistryAuth) private readonly auth: RegistryAuth,
    @inject(RecentManifests) private readonly recent: RecentManifests,
  ) {}

  readonly send: RepositorySend = async (
    request: RegistryRequest,
    repository: string,
    access: RepositoryAccess,
  ): Promise<RegistryResponse> => {
    const response = await this.auth.send(request, pullScope(repository, access));
    // A real run may delete what it reads: its journal takes the bytes from memory (issue 16).
    if (access === 'delete' && request.kind === 'manifest-get' && response.status === 200) {
      this.recent.note(response.body, response.headers['content-type']);
    }
    return response;
  };
}
