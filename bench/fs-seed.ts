// Seeding for sizes where pushing through the API takes too long (100k images are about 300k
// requests): the kit's storage layout (testkit/storage-layout.ts), written straight into the
// running registry's storage. The result is checked against an API push of the same data
// (bench/README.md), and every benchmark run reads all of it back through the registry anyway.
import { StorageLayout } from '../testkit/storage-layout.js';
import { SHARED_LAYER, type BuiltRepository } from './content.js';

export interface FsSeedResult {
  readonly files: number;
}

/** Writes every repository into `storageDir` (the registry's `rootdirectory`). */
export function seedFilesystem(
  storageDir: string,
  repositories: readonly BuiltRepository[],
): FsSeedResult {
  const layout = new StorageLayout(storageDir);
  for (const repository of repositories) {
    const name = repository.spec.name;
    layout.repository(name);
    layout.layer(name, SHARED_LAYER);
    for (const content of repository.content.values()) {
      if (content.kind === 'image') {
        layout.layer(name, content.config);
      } else {
        for (const child of content.children) {
          layout.layer(name, child.config);
          layout.manifest(name, child.manifest);
        }
      }
      layout.manifest(name, content.manifest);
    }
    for (const { tag, image } of repository.spec.tags) {
      const manifest = repository.content.get(image)?.manifest;
      if (manifest === undefined) throw new Error(`no content for ${image}`);
      layout.tag(name, tag, manifest.digest);
    }
  }
  return { files: layout.files };
}
