// Seeding for sizes where pushing through the API takes too long (100k images are about 300k
// requests): writes the filesystem layout distribution 2.8 itself writes for a push, straight
// into the running registry's storage (it keeps no cache of it in this configuration). The
// result is checked against an API push of the same data (bench/README.md), and every benchmark
// run reads all of it back through the registry anyway.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_LAYER, type Blob, type BuiltRepository } from './content.js';

function hexOf(digest: string): string {
  return digest.slice('sha256:'.length);
}

export interface FsSeedResult {
  readonly files: number;
}

/** Writes every repository into `storageDir` (the registry's `rootdirectory`). */
export function seedFilesystem(
  storageDir: string,
  repositories: readonly BuiltRepository[],
): FsSeedResult {
  const root = join(storageDir, 'docker', 'registry', 'v2');
  const madeDirs = new Set<string>();
  const writtenBlobs = new Set<string>();
  let files = 0;
  const write = (dir: string, name: string, content: string | Buffer): void => {
    if (!madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      madeDirs.add(dir);
    }
    writeFileSync(join(dir, name), content);
    files += 1;
  };
  const blob = (item: Blob): void => {
    if (writtenBlobs.has(item.digest)) return;
    writtenBlobs.add(item.digest);
    const hex = hexOf(item.digest);
    write(join(root, 'blobs', 'sha256', hex.slice(0, 2), hex), 'data', item.bytes);
  };
  for (const repository of repositories) {
    const repo = join(root, 'repositories', ...repository.spec.name.split('/'));
    const layer = (item: Blob): void => {
      blob(item);
      write(join(repo, '_layers', 'sha256', hexOf(item.digest)), 'link', item.digest);
    };
    const revision = (manifest: Blob): void => {
      blob(manifest);
      write(
        join(repo, '_manifests', 'revisions', 'sha256', hexOf(manifest.digest)),
        'link',
        manifest.digest,
      );
    };
    mkdirSync(join(repo, '_uploads'), { recursive: true });
    layer(SHARED_LAYER);
    for (const content of repository.content.values()) {
      if (content.kind === 'image') {
        layer(content.config);
      } else {
        for (const child of content.children) {
          layer(child.config);
          revision(child.manifest);
        }
      }
      revision(content.manifest);
    }
    for (const { tag, image } of repository.spec.tags) {
      const manifest = repository.content.get(image)?.manifest;
      if (manifest === undefined) throw new Error(`no content for ${image}`);
      const tagDir = join(repo, '_manifests', 'tags', tag);
      write(join(tagDir, 'current'), 'link', manifest.digest);
      write(join(tagDir, 'index', 'sha256', hexOf(manifest.digest)), 'link', manifest.digest);
    }
  }
  return { files };
}
