import { injectable } from 'inversify';
import { sha256Digest } from '../../shared/digest.js';

/**
 * Enough for the manifests a cold real run reads between inspecting a repository and deleting
 * from it (the 4,000 tags the run holds in flight, of 0.5-2 KB each). Each entry costs about
 * twice its bytes in memory (buffer objects, key, map entry): 16 MB held about 37 MB at the end
 * of a 100,000-tag real run (issue 9).
 */
const DEFAULT_BUDGET_BYTES = 8 * 1024 * 1024;

/**
 * Manifest bytes a real run received lately, by digest, bounded in total size: a cold run reads
 * every manifest while inspecting, so the journal written before a DELETE (issue 16) takes the
 * bytes from here instead of a second GET. Oldest first out; a miss costs one GET, never a
 * wrong byte (the caller checks the bytes against the digest anyway).
 */
@injectable()
export class RecentManifests {
  private readonly entries = new Map<string, { bytes: Buffer; contentType: string | undefined }>();
  private size = 0;

  constructor(private readonly budgetBytes = DEFAULT_BUDGET_BYTES) {}

  /** Keeps a manifest body under the sha256 of its bytes, the digest the registry deletes by. */
  note(bytes: Buffer, contentType: string | undefined): void {
    if (bytes.length > this.budgetBytes) return;
    const digest = sha256Digest(bytes);
    if (this.entries.has(digest)) return;
    this.entries.set(digest, { bytes, contentType });
    this.size += bytes.length;
    for (const [oldest, entry] of this.entries) {
      if (this.size <= this.budgetBytes) break;
      this.entries.delete(oldest);
      this.size -= entry.bytes.length;
    }
  }

  get(digest: string): { bytes: Buffer; contentType: string | undefined } | undefined {
    return this.entries.get(digest);
  }
}
