/** Manifest media types a cleaner must understand (registry-v2.md, "Accept header"). */
export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

export const INDEX_MEDIA_TYPES: readonly string[] = [
  MediaType.ociIndex,
  MediaType.dockerManifestList,
];
export const IMAGE_MEDIA_TYPES: readonly string[] = [
  MediaType.ociManifest,
  MediaType.dockerManifest,
];

/**
 * Sent on every manifest request. Without the index types the registry may silently convert a
 * multi-arch list into its linux/amd64 child and answer with the child's digest, which a cleaner
 * would then delete.
 */
export const MANIFEST_ACCEPT: string = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerManifestList,
  MediaType.dockerManifest,
].join(', ');

/** `application/json; charset=utf-8` -> `application/json`. */
export function baseMediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) {
    return undefined;
  }
  const base = contentType.split(';', 1)[0]?.trim().toLowerCase();
  return base === undefined || base === '' ? undefined : base;
}

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_MEDIA_TYPES.includes(mediaType);
}

export function isImageMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && IMAGE_MEDIA_TYPES.includes(mediaType);
}

export function isSchema1MediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaType.dockerSchema1 || mediaType === MediaType.dockerSchema1Signed;
}
