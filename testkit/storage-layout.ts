// The filesystem layout distribution 2.8 writes for a push, written straight into a registry's
// storage (its `rootdirectory`) without a request. The registry keeps no cache of its storage in
// the kit's configuration, so it serves what is written here at once. Used by the tests'
// seedStorage (fs-seed.ts) and by the benchmark's large datasets (bench/fs-seed.ts);
// support-registry.int.test.ts checks the result against an API push of the same images.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Anything addressed by a sha256 digest: a layer, a config or a manifest. */
export interface StoredBlob {
  readonly digest: string;
  readonly bytes: Buffer;
}

function hexOf(digest: string): string {
  return digest.slice('sha256:'.length);
}

/**
 * Writes blobs, links and tags synchronously. Directories made and blobs written are
 * remembered, so a blob shared by many repositories is written once and 100k images take
 * no more system calls than they must.
 */
export class StorageLayout {
  private readonly root: string;
  private readonly madeDirs = new Set<string>();
  private readonly writtenBlobs = new Set<string>();
  private written = 0;

  constructor(storageDir: string) {
    this.root = join(storageDir, 'docker', 'registry', 'v2');
  }

  /** How many files were written so far. */
  get files(): number {
    return this.written;
  }

  /** The repository's directory with its (empty) `_uploads`, as a first push leaves it. */
  repository(repository: string): void {
    this.makeDir(join(this.repositoryDir(repository), '_uploads'));
  }

  /** A layer or config blob the repository links (`_layers`). */
  layer(repository: string, item: StoredBlob): void {
    this.blob(item);
    const dir = join(this.repositoryDir(repository), '_layers', 'sha256', hexOf(item.digest));
    this.write(dir, 'link', item.digest);
  }

  /** A manifest the repository holds by digest (`_manifests/revisions`). */
  manifest(repository: string, item: StoredBlob): void {
    this.blob(item);
    const manifests = join(this.repositoryDir(repository), '_manifests');
    this.write(join(manifests, 'revisions', 'sha256', hexOf(item.digest)), 'link', item.digest);
  }

  /** `tag` pointing at the manifest `digest` (its `current` link and its index entry). */
  tag(repository: string, tag: string, digest: string): void {
    const tagDir = join(this.repositoryDir(repository), '_manifests', 'tags', tag);
    this.write(join(tagDir, 'current'), 'link', digest);
    this.write(join(tagDir, 'index', 'sha256', hexOf(digest)), 'link', digest);
  }

  private blob(item: StoredBlob): void {
    if (this.writtenBlobs.has(item.digest)) return;
    this.writtenBlobs.add(item.digest);
    const hex = hexOf(item.digest);
    this.write(join(this.root, 'blobs', 'sha256', hex.slice(0, 2), hex), 'data', item.bytes);
  }

  private repositoryDir(repository: string): string {
    return join(this.root, 'repositories', ...repository.split('/'));
  }

  private makeDir(dir: string): void {
    if (this.madeDirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  private write(dir: string, name: string, content: string | Buffer): void {
    this.makeDir(dir);
    writeFileSync(join(dir, name), content);
    this.written += 1;
  }
}
