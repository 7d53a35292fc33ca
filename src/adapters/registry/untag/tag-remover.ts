import { inject, injectable } from 'inversify';
import {
  RegistryError,
  type Placeholder,
  type PlaceholderBlob,
  type TagRemoval,
} from '../../../application/ports/registry.port.js';
import { ManifestCache } from '../cache/manifest-cache.js';
import { RepositorySend } from '../manifests/manifest-resolver.js';
import { RegistryBaseUrl } from '../registry-settings.js';
import { RegistryAuth } from '../auth/registry-auth.js';
import { deleteByDigest } from '../delete-manifest.js';
import { manifestUrl, repositoryPath } from '../registry-urls.js';
import { registryErrorCode, statusError } from '../transport/status-error.js';
import { ManifestCopies } from '../manifests/manifest-copies.js';

/** Throwaway tags of the tag DELETE probe: ours alone, on our own placeholder. */
const PROBE_TAGS = ['reg-cleaner-tag-delete-probe-a', 'reg-cleaner-tag-delete-probe-b'] as const;

/**
 * Removes one tag alone (issue 21, behaviour.md section 3), by one of two mechanisms:
 * - the OCI tag DELETE (distribution spec, "Deleting tags": `DELETE /v2/<name>/manifests/<tag>`,
 *   202), where the registry has it. Whether it does is found once per registry and kept in the
 *   registry cache. The probe never touches a tag of the user: it puts two throwaway tags on a
 *   placeholder, DELETEs one by tag and checks that the other survived (a registry that
 *   answered 202 but deleted the manifest would have taken the kept tags of real images with
 *   it). 400/405 mean no tag DELETE (distribution 2.8: 400 DIGEST_INVALID); Nexus answers 404,
 *   so a HEAD of the tag tells "not supported" (still there) from "gone".
 * - otherwise the placeholder: PUT a unique manifest at the tag, check that the tag points at
 *   it, DELETE it by digest. Before the first write in a repository, a DELETE of the
 *   placeholder's digest (not pushed yet: 404 when allowed) shows that DELETE by digest works
 *   for this account; without that a tag would stay on a placeholder.
 */
@injectable()
export class TagRemover {
  private tagDelete: Promise<boolean> | undefined;
  private readonly deleteChecked = new Map<string, Promise<void>>();
  private readonly layers = new Map<string, Promise<void>>();

  constructor(
    @inject(RepositorySend) private readonly send: RepositorySend,
    @inject(RegistryBaseUrl) private readonly baseUrl: string,
    @inject(ManifestCache) private readonly cache: ManifestCache,
    @inject(ManifestCopies) private readonly copies: ManifestCopies,
    @inject(RegistryAuth) private readonly auth: RegistryAuth,
  ) {}

  private deleteByDigest(repository: string, digest: string): Promise<'deleted' | 'already-gone'> {
    return deleteByDigest(this.auth, this.baseUrl, repository, digest);
  }

  async remove(
    repository: string,
    tag: string,
    expected: string,
    placeholder: Placeholder,
  ): Promise<TagRemoval> {
    await this.checkDeleteByDigest(repository, placeholder.manifest.digest);
    const before = await this.current(repository, tag);
    if (before === undefined) return { status: 'already-gone' };
    if (before !== expected) return { status: 'moved', digest: before };
    if (await this.hasTagDelete(repository, placeholder)) {
      const answer = await this.deleteTag(repository, tag);
      if (answer === 'removed') return { status: 'removed', mechanism: 'tag-delete' };
      if (answer === 'gone') return { status: 'already-gone' };
      throw new RegistryError(
        'invalid-response',
        `the registry refused the tag DELETE of ${repository}:${tag} that it accepted before`,
      );
    }
    return this.viaPlaceholder(repository, tag, expected, placeholder);
  }

  private async viaPlaceholder(
    repository: string,
    tag: string,
    expected: string,
    placeholder: Placeholder,
  ): Promise<TagRemoval> {
    for (let attempt = 1; ; attempt += 1) {
      await this.upload(repository, placeholder.blobs);
      // Checked again just before the PUT: the uploads took time.
      const now = await this.current(repository, tag);
      if (now === undefined) return { status: 'already-gone' };
      if (now !== expected) return { status: 'moved', digest: now };
      try {
        await this.copies.put(repository, tag, placeholder.manifest, 'untag');
        break;
      } catch (error) {
        // The layer is uploaded once per repository and process, but nothing references it once
        // the placeholders are deleted: the registry's garbage collector, run between two runs of
        // a watch process, removes it, and the registry refuses the next placeholder (400,
        // MANIFEST_BLOB_UNKNOWN; the tag is untouched). Uploaded again, once.
        if (attempt > 1 || !(error instanceof RegistryError) || error.status !== 400) throw error;
        this.forgetUploads(repository, placeholder.blobs);
      }
    }
    const digest = placeholder.manifest.digest;
    let moved: string | undefined;
    try {
      const onIt = await this.current(repository, tag);
      // Pushed again meanwhile: the new push stays; only our placeholder goes.
      if (onIt !== digest && onIt !== undefined) moved = onIt;
      await this.deleteByDigest(repository, digest);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new RegistryError(
        error instanceof RegistryError ? error.kind : 'unavailable',
        `tag ${repository}:${tag} is left on placeholder ${digest}: deleting the placeholder failed (${why}); it is journaled, and the next run of the job (or --restore) finishes it`,
      );
    }
    return moved === undefined
      ? { status: 'removed', mechanism: 'placeholder' }
      : { status: 'moved', digest: moved };
  }

  /** Once per repository: DELETE of a digest nobody pushed yet answers 404 when deletes work. */
  private checkDeleteByDigest(repository: string, unpushed: string): Promise<void> {
    let check = this.deleteChecked.get(repository);
    if (check === undefined) {
      const checking = this.deleteByDigest(repository, unpushed).then(() => undefined);
      check = checking;
      this.deleteChecked.set(repository, checking);
      // A refusal (401, 403, deletion disabled) is remembered: every untag in the repository would fail the
      // same way. A registry that was down or unreachable is asked again by the next tag, so
      // that one 503 does not refuse the repository for the rest of a watch process.
      checking.catch((error: unknown) => {
        if (!isRefusal(error) && this.deleteChecked.get(repository) === checking) {
          this.deleteChecked.delete(repository);
        }
      });
    }
    return check;
  }

  /** Found once per registry (then read from the registry cache). */
  private hasTagDelete(repository: string, placeholder: Placeholder): Promise<boolean> {
    this.tagDelete ??= (async () => {
      const known = await this.cache.getTagDeleteSupport();
      if (known !== undefined) return known;
      const found = await this.probe(repository, placeholder);
      await this.cache.putTagDeleteSupport(found);
      return found;
    })();
    const probing = this.tagDelete;
    // A probe that failed (a network error) is tried again by the next tag.
    probing.catch(() => {
      if (this.tagDelete === probing) this.tagDelete = undefined;
    });
    return probing;
  }

  private async probe(repository: string, placeholder: Placeholder): Promise<boolean> {
    const [first, second] = PROBE_TAGS;
    const digest = placeholder.manifest.digest;
    await this.upload(repository, placeholder.blobs);
    let answered = false;
    try {
      await this.copies.put(repository, first, placeholder.manifest, 'untag');
      await this.copies.put(repository, second, placeholder.manifest, 'untag');
      const answer = await this.deleteTag(repository, first);
      // Removed (or, after a 404, gone): the other tag on the same manifest must have stayed.
      const supported =
        answer !== 'unsupported' && (await this.current(repository, second)) === digest;
      answered = true;
      return supported;
    } finally {
      // Both throwaway tags go with their manifest, also when a PUT failed after the first one
      // stored its tag. After a failure, the failure is what the caller hears, not the clean-up.
      const cleanUp = this.deleteByDigest(repository, digest);
      await (answered ? cleanUp : cleanUp.catch(() => undefined));
    }
  }

  private async deleteTag(
    repository: string,
    tag: string,
  ): Promise<'removed' | 'unsupported' | 'gone'> {
    const response = await this.send(
      { kind: 'delete', method: 'DELETE', url: manifestUrl(this.baseUrl, repository, tag) },
      repository,
      'untag',
    );
    const status = response.status;
    if (status === 202 || status === 200 || status === 204) return 'removed';
    if (status === 400 || status === 405) return 'unsupported';
    if (status === 404) {
      // Nexus answers 404 to a tag DELETE it does not have: the tag is still there then.
      return (await this.current(repository, tag)) === undefined ? 'gone' : 'unsupported';
    }
    if (status === 401 || status === 403) {
      throw new RegistryError(
        status === 401 ? 'auth' : 'forbidden',
        `the registry refused to delete tag ${repository}:${tag} (${status}): the account lacks delete permission on ${repository}`,
        status,
      );
    }
    const code = registryErrorCode(response)?.code;
    if (code === 'UNSUPPORTED') return 'unsupported';
    throw statusError(response, `DELETE tag ${repository}:${tag}`);
  }

  private current(repository: string, tag: string): Promise<string | undefined> {
    return this.copies.currentDigest(repository, tag, 'untag');
  }

  /** The layer once per repository (the same two bytes for every placeholder), the config each time. */
  private async upload(repository: string, blobs: readonly PlaceholderBlob[]): Promise<void> {
    for (const blob of blobs) {
      const key = `${repository}@${blob.digest}`;
      let done = this.layers.get(key);
      if (done === undefined) {
        done = this.uploadOne(repository, blob);
        this.layers.set(key, done);
        done.catch(() => this.layers.delete(key));
      }
      await done;
    }
  }

  private forgetUploads(repository: string, blobs: readonly PlaceholderBlob[]): void {
    for (const blob of blobs) this.layers.delete(`${repository}@${blob.digest}`);
  }

  /** `POST /v2/<name>/blobs/uploads/`, then `PUT <location>?digest=` with the bytes. */
  private async uploadOne(repository: string, blob: PlaceholderBlob): Promise<void> {
    const start = await this.send(
      {
        kind: 'blob-upload',
        method: 'POST',
        url: `${this.baseUrl}/v2/${repositoryPath(repository)}/blobs/uploads/`,
      },
      repository,
      'untag',
    );
    if (start.status === 401 || start.status === 403) throw lacksPush(repository, start.status);
    if (start.status !== 202) throw statusError(start, `POST blob upload to ${repository}`);
    const location = start.headers['location'];
    if (location === undefined || location === '') {
      throw new RegistryError(
        'invalid-response',
        `the blob upload to ${repository} has no Location`,
      );
    }
    const target = new URL(location, start.url);
    if (target.origin !== new URL(this.baseUrl).origin) {
      throw new RegistryError(
        'invalid-response',
        `the blob upload to ${repository} points at another host (${target.origin})`,
      );
    }
    target.searchParams.set('digest', blob.digest);
    const put = await this.send(
      {
        kind: 'blob-upload',
        method: 'PUT',
        url: target.toString(),
        headers: { 'Content-Type': 'application/octet-stream' },
        body: blob.bytes,
      },
      repository,
      'untag',
    );
    if (put.status === 401 || put.status === 403) throw lacksPush(repository, put.status);
    if (put.status !== 201) throw statusError(put, `PUT blob ${blob.digest} to ${repository}`);
  }
}

function lacksPush(repository: string, status: number): RegistryError {
  return new RegistryError(
    status === 401 ? 'auth' : 'forbidden',
    `the registry refused a blob upload to ${repository} (${status}): the account lacks push permission on ${repository}, which removing a tag alone (shared_digest: untag) needs`,
    status,
  );
}

/** The registry said no (credentials, permission, deletion disabled), rather than failing. */
function isRefusal(error: unknown): boolean {
  return (
    error instanceof RegistryError &&
    (error.kind === 'auth' || error.kind === 'forbidden' || error.kind === 'unsupported')
  );
}
