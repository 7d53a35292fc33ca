/**
 * The one reading of file system errors (issue 14; the state store, the lock, the registry
 * cache, the journal, the config loader and main each had their own). Node's fs errors carry
 * their POSIX code (`ENOENT`, `EACCES`...) in `code`.
 */

/** The code of a failed file operation, or undefined when the error has none. */
export function fsErrorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/** The file or folder does not exist (ENOENT). */
export function isMissing(error: unknown): boolean {
  return fsErrorCode(error) === 'ENOENT';
}

/** A failed file operation in words, for messages that name the file themselves. */
export function describeFsError(error: unknown): string {
  const code = fsErrorCode(error);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case undefined:
      return error instanceof Error ? error.message : 'unknown error';
    default:
      return code;
  }
}
