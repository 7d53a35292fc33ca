// The build context as Docker sends it: the Dockerfile's folder minus what .dockerignore
// excludes. Matching is @balena/dockerignore's, a port of Docker's own rules (paths relative to
// the context, `*` `?` `**`, a matching folder excludes its contents, `!` re-includes, the last
// matching rule wins). A COPY source that the context lacks fails here, before any npm step.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, resolve, sep } from 'node:path';
import dockerignore from '@balena/dockerignore';
import { RecipeError } from './errors.js';
import type { Plan } from './plan.js';

/** `(path relative to the context) => excluded`. */
export type Excluded = (relativePath: string) => boolean;

export function parseDockerignore(text: string): Excluded {
  // CommonJS: the default import is `module.exports`, which carries itself as `.default`.
  const rules = dockerignore.default().add(text.split(/\r?\n/));
  return (relativePath) => {
    const path = relativePath.split(sep).join('/').replace(/^\.\//, '');
    return path !== '' && path !== '.' && rules.ignores(path);
  };
}

/** The context's `.dockerignore`, or nothing excluded when it has none. */
export function readDockerignore(context: string): Excluded {
  const file = join(context, '.dockerignore');
  return existsSync(file) ? parseDockerignore(readFileSync(file, 'utf8')) : () => false;
}

/** A glob of one path component, as COPY reads it (`*`, `?`). */
function componentPattern(glob: string): RegExp {
  const source = glob
    .split('')
    .map((char) => {
      if (char === '*') return '[^/]*';
      if (char === '?') return '[^/]';
      return char.replace(/[.+^${}()|[\]\\]/, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** Context paths (relative) a COPY source names: `*` and `?` in its last component. */
export function contextMatches(context: string, source: string, excluded: Excluded): string[] {
  const normalized = posix.normalize(source).replace(/^\/+/, '').replace(/\/+$/, '');
  if (normalized.startsWith('..'))
    throw new RecipeError(`COPY ${source}: outside the build context`);
  const name = posix.basename(normalized);
  const folder = posix.dirname(normalized);
  const candidates = /[*?[]/.test(name)
    ? listDir(join(context, folder))
        .filter((entry) => componentPattern(name).test(entry))
        .map((entry) => posix.join(folder, entry))
    : [normalized === '' ? '.' : normalized];
  return candidates.filter(
    (path) => path === '.' || (existsSync(join(context, path)) && !excluded(path)),
  );
}

/**
 * Every context COPY of every stage, resolved up front: one line per source that the context
 * does not hold (missing, or excluded by .dockerignore), so a wrong .dockerignore fails in a
 * second instead of after minutes of npm ci.
 */
export function missingContextSources(plan: Plan, context: string, excluded: Excluded): string[] {
  return plan.stages.flatMap((stage) =>
    stage.steps.flatMap((step) =>
      step.kind !== 'copy' || step.from !== undefined
        ? []
        : step.sources
            .filter((source) => contextMatches(context, source, excluded).length === 0)
            .map(
              (source) =>
                `line ${step.line}: COPY source "${source}" is not in the build context (missing, or excluded by .dockerignore)`,
            ),
    ),
  );
}

/** Whether a file under a copied context folder is sent to Docker (the folder itself always). */
export function keptInContext(
  context: string,
  excluded: Excluded,
  root: string,
): (path: string) => boolean {
  return (path) => resolve(path) === resolve(root) || !excluded(relative(context, path));
}
