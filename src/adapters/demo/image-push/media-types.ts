export type ImageFormat = 'docker' | 'oci';

export interface FormatMediaTypes {
  manifest: string;
  index: string;
  config: string;
  layer: string;
}

export const MEDIA_TYPES: Record<ImageFormat, FormatMediaTypes> = {
  docker: {
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    index: 'application/vnd.docker.distribution.manifest.list.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  },
  oci: {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    index: 'application/vnd.oci.image.index.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  },
};

/**
 * Every manifest type, for Accept: without it distribution converts a multi-arch list into its
 * linux/amd64 child (or a schema1 manifest) and reports that digest instead.
 */
export const ALL_MANIFEST_TYPES = [
  MEDIA_TYPES.oci.index,
  MEDIA_TYPES.oci.manifest,
  MEDIA_TYPES.docker.index,
  MEDIA_TYPES.docker.manifest,
].join(', ');
