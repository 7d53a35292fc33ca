/** `team/app` stays a path; each segment is escaped on its own. */
export function repositoryPath(repository: string): string {
  return repository.split('/').map(encodeURIComponent).join('/');
}

/**
 * Tags (`[\w][\w.-]*`) and digests (`sha256:hex`) go into the path as they are: escaping the
 * digest's colon is legal but not every registry router decodes it. Anything else is escaped.
 */
function referencePath(reference: string): string {
  return /^[A-Za-z0-9_.:+=-]+$/.test(reference) ? reference : encodeURIComponent(reference);
}

export function manifestUrl(baseUrl: string, repository: string, reference: string): string {
  return `${baseUrl}/v2/${repositoryPath(repository)}/manifests/${referencePath(reference)}`;
}

export function blobUrl(baseUrl: string, repository: string, digest: string): string {
  return `${baseUrl}/v2/${repositoryPath(repository)}/blobs/${referencePath(digest)}`;
}

export function tagListUrl(baseUrl: string, repository: string, pageSize: number): string {
  return `${baseUrl}/v2/${repositoryPath(repository)}/tags/list?n=${pageSize}`;
}

export function catalogUrl(baseUrl: string, pageSize: number): string {
  return `${baseUrl}/v2/_catalog?n=${pageSize}`;
}
