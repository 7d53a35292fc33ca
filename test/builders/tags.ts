import { createHash } from 'node:crypto';
import type { DecisionReason, TagDecision } from '../../src/domain/decision.js';
import type {
  InspectedTag,
  ManifestFootprint,
  ManifestKind,
  TagDigest,
} from '../../src/domain/tag.js';

export const DEFAULT_REPOSITORY = 'team/app';

/** A well-formed, stable sha256 digest for a label: same label, same digest. */
export function fakeDigest(label: string): string {
  return `sha256:${createHash('sha256').update(label).digest('hex')}`;
}

export interface TagOptions {
  readonly repository?: string;
  /** Default: fakeDigest of `repository:tag`, so distinct tags have distinct digests. */
  readonly digest?: string;
  readonly kind?: ManifestKind;
}

/** A tag whose digest and creation date are known. */
export function aTag(tag: string, created: Date, options: TagOptions = {}): InspectedTag {
  const repository = options.repository ?? DEFAULT_REPOSITORY;
  return {
    repository,
    tag,
    resolution: {
      status: 'resolved',
      digest: options.digest ?? fakeDigest(`${repository}:${tag}`),
      kind: options.kind ?? 'image',
      created,
    },
  };
}

/** A tag whose image has no usable `created` (a fact about the data). */
export function anUndatedTag(
  tag: string,
  options: TagOptions & { readonly problem?: string } = {},
): InspectedTag {
  const repository = options.repository ?? DEFAULT_REPOSITORY;
  return {
    repository,
    tag,
    resolution: {
      status: 'undated',
      digest: options.digest ?? fakeDigest(`${repository}:${tag}`),
      kind: options.kind ?? 'image',
      problem: options.problem ?? 'the image config has no created field',
    },
  };
}

/** A tag whose inspection failed after retries. */
export function aFailedTag(
  tag: string,
  options: { readonly repository?: string; readonly problem?: string } = {},
): InspectedTag {
  return {
    repository: options.repository ?? DEFAULT_REPOSITORY,
    tag,
    resolution: { status: 'failed', problem: options.problem ?? 'HTTP 503 after 3 attempts' },
  };
}

/** A tag known only by its digest (e.g. one that matches no pattern); undefined = unknown. */
export function aTagDigest(
  tag: string,
  digest: string | undefined,
  repository: string = DEFAULT_REPOSITORY,
): TagDigest {
  return { repository, tag, digest };
}

export interface DecisionOptions {
  readonly repository?: string;
  /** Pass `undefined` explicitly for an unknown digest. Default: fakeDigest of `repository:tag`. */
  readonly digest?: string | undefined;
  readonly created?: Date;
  readonly reason?: DecisionReason;
  readonly detail?: string;
  readonly footprint?: ManifestFootprint;
}

/** A decision as selectTags would produce it; the reason defaults to 'old' / 'recent'. */
export function aDecision(
  tag: string,
  action: 'keep' | 'delete',
  options: DecisionOptions = {},
): TagDecision {
  const repository = options.repository ?? DEFAULT_REPOSITORY;
  return {
    repository,
    tag,
    digest: 'digest' in options ? options.digest : fakeDigest(`${repository}:${tag}`),
    created: options.created,
    action,
    reason: options.reason ?? (action === 'delete' ? 'old' : 'recent'),
    detail: options.detail ?? `${action} ${tag}`,
    ...(options.footprint === undefined ? {} : { footprint: options.footprint }),
  };
}
