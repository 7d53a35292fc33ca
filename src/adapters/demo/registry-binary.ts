import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** The demo needs Debian's registry and it is not there: one line says how to get it. */
export class RegistryBinaryMissing extends Error {
  override readonly name = 'RegistryBinaryMissing';
  constructor(binary: string, overridden: boolean) {
    super(
      overridden
        ? `REG_CLEANER_REGISTRY_BIN=${binary} is not an executable file`
        : `the demo runs a throw-away registry, and ${binary} is not installed: sudo apt-get install -y docker-registry (Debian/Ubuntu), or set REG_CLEANER_REGISTRY_BIN to the registry binary (CNCF distribution 2.x)`,
    );
  }
}

/** Checks that `binary` (a name looked up on PATH, or a path) can be run, before anything starts. */
export function requireRegistryBinary(
  binary: string,
  env: NodeJS.ProcessEnv,
  overridden: boolean,
): void {
  const candidates =
    binary.includes('/') || isAbsolute(binary)
      ? [binary]
      : (env['PATH'] ?? '')
          .split(delimiter)
          .filter((dir) => dir !== '')
          .map((dir) => join(dir, binary));
  if (!candidates.some(isExecutableFile)) throw new RegistryBinaryMissing(binary, overridden);
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
