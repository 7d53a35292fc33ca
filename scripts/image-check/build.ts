// Builds the image outside Docker: one temp "root filesystem" per stage, the COPYs performed
// from the context (honouring .dockerignore) or from an earlier stage, the npm commands run in
// the stage's WORKDIR, OS package steps skipped and listed. Then the final image must hold no
// dev dependency: what `npm prune --omit=dev` promised.
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { keptInContext, contextMatches, type Excluded } from './context.js';
import { RecipeError } from './errors.js';
import type { CopyStep, StagePlan } from './plan.js';
import { exitText, runProcess, seconds } from './process.js';

export interface Skipped {
  stage: string;
  line: number;
  command: string;
  why: string;
}

export interface BuildContext {
  tmp: string;
  context: string;
  excluded: Excluded;
  log: (line: string) => void;
  verbose: boolean;
  /** Each finished stage's root, by name and by index. */
  roots: Map<string, string>;
  /** `chown` steps: the image path and owner, per stage root. */
  owners: { root: string; path: string; owner: string }[];
  skipped: Skipped[];
}

/** An absolute path of the image, inside a stage's temp root. */
export function inRoot(root: string, imagePath: string): string {
  return join(root, ...posix.resolve('/', imagePath).split('/').filter(Boolean));
}

/** What a RUN step or the entrypoint sees: ours (PATH, HOME, proxies) minus npm's own. */
export function childEnv(stageEnv: Record<string, string>): NodeJS.ProcessEnv {
  const keep = new Set([
    'npm_config_registry',
    'npm_config_cache',
    'npm_config_userconfig',
    'npm_config_cafile',
    'npm_config_strict_ssl',
  ]);
  // `npm run image:check` exports its own npm_* settings (omit, prefix, lifecycle): they must
  // not leak into the npm commands of the recipe, which Docker runs in a clean environment.
  const leaks = (name: string): boolean =>
    (name.toLowerCase().startsWith('npm_') && !keep.has(name.toLowerCase())) ||
    name === 'INIT_CWD' ||
    name === 'NODE_ENV';
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !leaks(name)));
  return { ...env, ...stageEnv };
}

/** Copies a file, or a folder's contents (filtered), to `target`. */
function copyInto(source: string, target: string, keep: (path: string) => boolean): void {
  mkdirSync(lstatSync(source).isDirectory() ? target : dirname(target), { recursive: true });
  cpSync(source, target, { recursive: true, verbatimSymlinks: true, filter: keep });
}

function copySources(step: CopyStep, ctx: BuildContext): { abs: string; label: string }[] {
  if (step.from === undefined) {
    return step.sources.flatMap((source) => {
      const matches = contextMatches(ctx.context, source, ctx.excluded);
      if (matches.length === 0)
        throw new RecipeError(
          `line ${step.line}: COPY source "${source}" is not in the build context (missing, or excluded by .dockerignore)`,
        );
      return matches.map((match) => ({ abs: resolve(ctx.context, match), label: match }));
    });
  }
  const fromRoot = ctx.roots.get(step.from);
  if (fromRoot === undefined)
    throw new RecipeError(`line ${step.line}: COPY --from=${step.from}: no such earlier stage`);
  return step.sources.map((source) => {
    const abs = inRoot(fromRoot, source);
    if (!existsSync(abs))
      throw new RecipeError(
        `line ${step.line}: COPY --from=${step.from} ${source}: not produced by that stage`,
      );
    return { abs, label: `${step.from}:${source}` };
  });
}

function performCopy(step: CopyStep, stageRoot: string, ctx: BuildContext): void {
  if (step.add === true)
    throw new RecipeError(`line ${step.line}: ADD is not reproduced; use COPY`);
  const destination = inRoot(stageRoot, step.destination);
  for (const source of copySources(step, ctx)) {
    // A file copied into a folder destination keeps its name; a folder copies its contents.
    const intoFolder = step.destIsDir && !lstatSync(source.abs).isDirectory();
    const target = intoFolder ? join(destination, basename(source.abs)) : destination;
    const keep =
      step.from === undefined ? keptInContext(ctx.context, ctx.excluded, source.abs) : () => true;
    copyInto(source.abs, target, keep);
    ctx.log(
      `  COPY ${source.label} -> ${step.destination}${intoFolder ? `/${basename(source.abs)}` : ''}`,
    );
  }
}

/** Performs one stage; returns its root. */
export async function performStage(stage: StagePlan, ctx: BuildContext): Promise<string> {
  const label = stage.name ?? `#${String(stage.index)}`;
  const stageRoot = join(
    ctx.tmp,
    `stage-${String(stage.index)}${stage.name === undefined ? '' : `-${stage.name}`}`,
  );
  const parent = ctx.roots.get(stage.base.toLowerCase());
  if (parent === undefined) mkdirSync(stageRoot, { recursive: true });
  else cpSync(parent, stageRoot, { recursive: true, verbatimSymlinks: true });
  ctx.log(`stage ${label} (FROM ${stage.base}) -> ${stageRoot}`);
  let workdir = '/';
  const env: Record<string, string> = {};
  for (const step of stage.steps) {
    if (step.kind === 'workdir') {
      workdir = step.path;
      mkdirSync(inRoot(stageRoot, workdir), { recursive: true });
    } else if (step.kind === 'env') {
      Object.assign(env, step.env);
    } else if (step.kind === 'copy') {
      performCopy(step, stageRoot, ctx);
    } else if (step.action === 'skip') {
      ctx.skipped.push({ stage: label, line: step.line, command: step.command, why: step.why });
      ctx.log(`  SKIP ${step.command}   (${step.why})`);
    } else if (step.action === 'chown') {
      for (const path of step.paths)
        ctx.owners.push({ root: stageRoot, path: posix.resolve(workdir, path), owner: step.owner });
      ctx.log(`  CHOWN ${step.owner} ${step.paths.join(' ')}   (performed on the VOLUMEs only)`);
    } else if (step.action === 'mkdir') {
      for (const path of step.paths)
        mkdirSync(inRoot(stageRoot, posix.resolve(workdir, path)), { recursive: true });
      ctx.log(`  MKDIR ${step.paths.join(' ')}`);
    } else if (step.action === 'run') {
      const started = Date.now();
      ctx.log(`  RUN ${step.command}   (in ${workdir})`);
      const [program = '', ...args] = step.argv;
      const result = await runProcess(
        program === 'node' ? [process.execPath, ...args] : step.argv,
        {
          cwd: inRoot(stageRoot, workdir),
          env: childEnv(env),
          echo: ctx.verbose,
        },
      );
      if (result.code !== 0)
        throw new RecipeError(
          `line ${step.line}: "${step.command}" failed (exit ${exitText(result)}):\n${result.output}`,
        );
      ctx.log(`    done in ${seconds(started)}`);
    } else {
      throw new RecipeError(unsupportedMessage(step.line, step.why, step.command));
    }
  }
  if (stage.name !== undefined) ctx.roots.set(stage.name, stageRoot);
  ctx.roots.set(String(stage.index), stageRoot);
  return stageRoot;
}

export const unsupportedMessage = (line: number, why: string, command: string): string =>
  `line ${line}: ${why}: "${command}". Teach scripts/image-check/plan.ts, or keep the Dockerfile to npm commands.`;

/** The image's WORKDIR holds a package.json and no installed dev dependency. */
export function checkNoDevDependencies(imageDir: string): void {
  const manifestPath = join(imageDir, 'package.json');
  if (!existsSync(manifestPath))
    throw new RecipeError('the image has no package.json in its WORKDIR');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const production = new Set(Object.keys(manifest.dependencies ?? {}));
  const present = Object.keys(manifest.devDependencies ?? {}).filter(
    (name) => !production.has(name) && existsSync(join(imageDir, 'node_modules', name)),
  );
  // npm's own record of what it installed names transitive dev dependencies too.
  const hidden = join(imageDir, 'node_modules', '.package-lock.json');
  if (existsSync(hidden)) {
    const lock = JSON.parse(readFileSync(hidden, 'utf8')) as {
      packages?: Record<string, { dev?: boolean }>;
    };
    for (const [path, entry] of Object.entries(lock.packages ?? {}))
      if (entry.dev === true && existsSync(join(imageDir, path))) present.push(path);
  }
  if (present.length > 0)
    throw new RecipeError(
      `the image ships dev dependencies: ${[...new Set(present)].slice(0, 10).join(', ')}`,
    );
}
