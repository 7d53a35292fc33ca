import { inject, injectable } from 'inversify';
import type { RepositoryAccess } from '../../../application/ports/registry.port.js';
import { RegistryBaseUrl } from '../registry-settings.js';
import { nextPageUrl } from '../link-header.js';
import { repositoryPath } from '../registry-urls.js';
import { statusError } from '../transport/status-error.js';
import { listedManifests } from './manifest-references.js';
import { RepositorySend } from './manifest-resolver.js';
import { MediaType } from './media-types.js';

/** Pages of one referrers list at most: a registry whose `Link` never ends is not followed forever. */
const MAX_PAGES = 1_000;

/**
 * The OCI referrers API (distribution spec, "Listing Referrers"): `GET /v2/<name>/referrers/
 * <digest>` answers 200 with an image index of the manifests whose `subject` is the digest. A
 * registry that has the API must not answer 404, so the first 404 means it has none
 * (distribution 2.8): it is remembered and no further referrers request goes out; callers then
 * rely on the referrers fallback tag. Until the first answer says which, one request asks and
 * the others wait for it: repositories planning deletions at once would otherwise each send
 * one to a registry without the API (9-12 requests in a 20-repository benchmark run, issue 25).
 */
@injectable()
export class Referrers {
  private available: boolean | undefined;
  /** Settles when the request that finds out whether the API exists has its answer. */
  private probing: Promise<void> | undefined;

  constructor(
    @inject(RepositorySend) private readonly send: RepositorySend,
    @inject(RegistryBaseUrl) private readonly baseUrl: string,
  ) {}

  async list(
    repository: string,
    digest: string,
    access: RepositoryAccess,
  ): Promise<readonly string[] | undefined> {
    // A failed probe (a 500, a timeout) settles too: the next caller asks again.
    while (this.available === undefined && this.probing !== undefined) await this.probing;
    if (this.available === false) return undefined;
    if (this.available !== undefined) return this.fetch(repository, digest, access);
    let settle: () => void = () => undefined;
    this.probing = new Promise<void>((resolve) => {
      settle = resolve;
    });
    try {
      return await this.fetch(repository, digest, access);
    } finally {
      this.probing = undefined;
      settle();
    }
  }

  private async fetch(
    repository: string,
    digest: string,
    access: RepositoryAccess,
  ): Promise<readonly string[] | undefined> {
    const digests: string[] = [];
    let url: string | undefined =
      `${this.baseUrl}/v2/${repositoryPath(repository)}/referrers/${digest}`;
    for (let page = 0; url !== undefined && page < MAX_PAGES; page += 1) {
      const response = await this.send(
        { kind: 'referrers', method: 'GET', url, headers: { Accept: MediaType.ociIndex } },
        repository,
        access,
      );
      if (response.status === 404 && page === 0) {
        this.available = false;
        return undefined;
      }
      if (response.status !== 200) throw statusError(response, `GET referrers of ${digest}`);
      this.available = true;
      digests.push(...listedManifests(response.body));
      url = nextPageUrl(response.headers['link'], response.url);
    }
    return digests;
  }
}
