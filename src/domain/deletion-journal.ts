/**
 * A manifest exactly as the registry stored it. PUT these bytes with this media type and the
 * registry computes the same digest again: that is what makes a deletion undoable.
 */
export interface ManifestCopy {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
}

/**
 * A manifest and, for an index, every manifest it lists (platform images and attestations):
 * the registry refuses an index whose listed manifests it does not hold, so restoring one
 * PUTs them first, by digest.
 */
export interface ManifestWithChildren extends ManifestCopy {
  readonly children: readonly ManifestCopy[];
}

/**
 * One line of a deletion journal, written and flushed to disk before the DELETE of its digest
 * is sent (issue 16). An entry whose DELETE never went out (a crash in between) is harmless:
 * its tags still point at the digest, and a restore leaves them alone.
 */
export interface JournalEntry {
  readonly repository: string;
  readonly manifest: ManifestWithChildren;
  /** Every tag that pointed at the digest: the DELETE removes them all. */
  readonly tags: readonly string[];
  readonly job: string;
  readonly runStartedAt: Date;
  /**
   * What the write was (issue 21): an image deleted by the rules (the default, and what
   * journals written before issue 21 hold), an accessory deleted with its image or as an
   * orphan, or a tag removed alone (`untag`: the manifest stays; only the tags moved).
   * `--restore` puts back images first, then accessories, then untagged tags.
   */
  readonly role?: JournalRole;
  /**
   * For `untag`: the placeholder each tag may be moved onto (issue 21), journaled before the
   * PUT. A tag found on it later is finished (placeholder deleted) or put back by --restore.
   */
  readonly placeholders?: readonly TagPlaceholder[];
}

/** A placeholder manifest a tag was (or is about to be) moved onto. */
export interface TagPlaceholder {
  readonly tag: string;
  readonly digest: string;
}

export type JournalRole = 'image' | 'accessory' | 'untag';
