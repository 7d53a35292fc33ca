// Digest -> (image slot, role) per repository, for requests by digest (platform manifests,
// configs, DELETE). Built on the first such request in a repository by rendering its images
// once, and kept as two typed arrays (8 bytes per digest: about 17 MB for 1,000,000 tags), so
// the memory is bounded by the data set, never by the number of requests served.
import type { BuiltContent } from '../content.js';
import type { SyntheticModel } from './model.js';
import { render } from './templates.js';

/** What a digest is within its image slot. */
export const ROLE = {
  manifest: 0,
  /** Platform manifests of an index: CHILD_MANIFEST + platform number. */
  childManifest: 1,
  config: 3,
  childConfig: 4,
} as const;
/** Codes per slot: slot * ROLES + role. */
export const ROLES = 8;

interface RepositoryIndex {
  /** First 32 bits of each digest, sorted. */
  readonly prefixes: Uint32Array;
  /** slot * ROLES + role, in the order of `prefixes`. */
  readonly codes: Uint32Array;
}

function prefixOf(digest: string): number {
  return Number.parseInt(digest.slice(7, 15), 16);
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export class DigestIndex {
  private readonly repositories: (RepositoryIndex | undefined)[];
  private built = 0;

  constructor(private readonly model: SyntheticModel) {
    this.repositories = new Array<RepositoryIndex | undefined>(model.options.repositories);
  }

  /** Repositories indexed so far. */
  get size(): number {
    return this.built;
  }

  /**
   * The code of `digest` in `repository` and the rendered slot it belongs to, or undefined.
   * The 32-bit prefix only narrows the search: the rendered digest is compared in full.
   */
  find(repository: number, digest: string): { code: number; content: BuiltContent } | undefined {
    if (!DIGEST.test(digest)) return undefined;
    const index = this.indexOf(repository);
    const prefix = prefixOf(digest);
    let low = 0;
    let high = index.prefixes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((index.prefixes[middle] ?? 0) < prefix) low = middle + 1;
      else high = middle;
    }
    for (let at = low; at < index.prefixes.length && index.prefixes[at] === prefix; at++) {
      const code = index.codes[at] ?? 0;
      const content = render(this.model.image(repository, Math.floor(code / ROLES)));
      if (digestOf(content, code % ROLES) === digest) return { code, content };
    }
    return undefined;
  }

  private indexOf(repository: number): RepositoryIndex {
    const existing = this.repositories[repository];
    if (existing !== undefined) return existing;
    const entries: [number, number][] = [];
    for (let slot = 0; slot < this.model.slots; slot++) {
      if (!this.model.slotInUse(slot)) continue;
      const content = render(this.model.image(repository, slot));
      for (const role of rolesOf(content)) {
        entries.push([prefixOf(digestOf(content, role) ?? ''), slot * ROLES + role]);
      }
    }
    entries.sort((a, b) => a[0] - b[0]);
    const built: RepositoryIndex = {
      prefixes: Uint32Array.from(entries, ([prefix]) => prefix),
      codes: Uint32Array.from(entries, ([, code]) => code),
    };
    this.repositories[repository] = built;
    this.built += 1;
    return built;
  }
}

function rolesOf(content: BuiltContent): number[] {
  if (content.kind === 'image') return [ROLE.manifest, ROLE.config];
  return [
    ROLE.manifest,
    ...content.children.flatMap((_, index) => [
      ROLE.childManifest + index,
      ROLE.childConfig + index,
    ]),
  ];
}

/** The blob a role names in a rendered slot. */
export function blobOf(
  content: BuiltContent,
  role: number,
): { readonly mediaType: string; readonly digest: string; readonly bytes: Buffer } | undefined {
  if (role === ROLE.manifest) return content.manifest;
  if (content.kind === 'image') return role === ROLE.config ? content.config : undefined;
  if (role >= ROLE.childConfig) return content.children[role - ROLE.childConfig]?.config;
  return content.children[role - ROLE.childManifest]?.manifest;
}

function digestOf(content: BuiltContent, role: number): string | undefined {
  return blobOf(content, role)?.digest;
}

export function isManifestRole(role: number): boolean {
  return role < ROLE.config;
}
