// The whole check of one Dockerfile, in the order a failure is cheapest to find: what cannot be
// performed and what the build context lacks (instantly), then the build stages (minutes of
// npm), the image's content, and the image's runs as its user against a real registry.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import {
  checkNoDevDependencies,
  childEnv,
  inRoot,
  performStage,
  unsupportedMessage,
  type BuildContext,
  type Skipped,
} from './build.js';
import {
  CHECK_REPOSITORY,
  CHECK_TAGS,
  pushCheckImages,
  startRegistry,
  writeCheckConfig,
  type CheckRegistry,
} from './check-registry.js';
import { missingContextSources, readDockerignore } from './context.js';
import { dryRunCheck, helpCheck, type RunnableImage } from './dry-run-check.js';
import { RecipeError } from './errors.js';
import { asImageUser, installNode, lockDown } from './image-user.js';
import { readPlan, type Plan } from './plan.js';
import { watchCheck } from './watch-check.js';

export interface RecipeOptions {
  dockerfile: string;
  /** The build context; the Dockerfile's folder unless told. */
  context?: string;
  keep?: boolean;
  verbose?: boolean;
  log?: (line: string) => void;
}

/** Refuses up front what cannot be performed, rather than after minutes of npm ci. */
export function preflight(plan: Plan, context: string): void {
  for (const stage of plan.stages)
    for (const step of stage.steps) {
      if (step.kind === 'run' && step.action === 'unsupported')
        throw new RecipeError(unsupportedMessage(step.line, step.why, step.command));
      if (step.kind === 'copy' && step.add === true)
        throw new RecipeError(`line ${String(step.line)}: ADD is not reproduced; use COPY`);
    }
  const missing = missingContextSources(plan, context, readDockerignore(context));
  if (missing.length > 0) throw new RecipeError(missing.join('\n'));
  const { command } = plan.final;
  if (command === undefined || command.length === 0)
    throw new RecipeError('the final stage has no exec-form ENTRYPOINT');
  if (command[0] !== 'node')
    throw new RecipeError(`ENTRYPOINT runs "${String(command[0])}", not node`);
  // The image's user must be known and reachable from here.
  asImageUser(plan.final, []);
}

export async function runRecipe(options: RecipeOptions): Promise<{ skipped: Skipped[] }> {
  const log =
    options.log ??
    ((line: string) => {
      console.log(line);
    });
  const dockerfile = resolve(options.dockerfile);
  const context = resolve(options.context ?? dirname(dockerfile));
  const plan = readPlan(dockerfile);
  preflight(plan, context);
  const { final } = plan;
  const tmp = mkdtempSync(join(tmpdir(), 'reg-cleaner-image-'));
  const ctx: BuildContext = {
    tmp,
    context,
    excluded: readDockerignore(context),
    log,
    verbose: options.verbose === true,
    roots: new Map(),
    owners: [],
    skipped: [],
  };
  log(`image recipe of ${relative(process.cwd(), dockerfile) || dockerfile} (context ${context})`);
  let registry: CheckRegistry | undefined;
  try {
    let finalRoot = '';
    for (const stage of plan.stages) finalRoot = await performStage(stage, ctx);
    const imageDir = inRoot(finalRoot, final.workdir);
    log(`image ${imageDir}: ${readdirSync(imageDir).sort().join(' ')}`);
    checkNoDevDependencies(imageDir);

    registry = await startRegistry(join(tmp, 'registry'));
    await pushCheckImages(registry.url);
    log(
      `registry ${registry.url}: ${CHECK_REPOSITORY} tags ${CHECK_TAGS.map(([t]) => t).join(' ')}`,
    );
    writeCheckConfig(imageDir, registry.url);

    const node = installNode(finalRoot);
    lockDown(
      tmp,
      finalRoot,
      final,
      ctx.owners.filter((owner) => owner.root === finalRoot),
      log,
    );
    const [, ...script] = final.command ?? [];
    // No home and no temp folder to write to: under readOnlyRootFilesystem there are none.
    const nowhere = inRoot(finalRoot, '/nonexistent');
    const image: RunnableImage = {
      final,
      dir: imageDir,
      command: final.command ?? [],
      env: { ...childEnv(final.env), HOME: nowhere, TMPDIR: nowhere },
      argv: (args) => asImageUser(final, [node, ...script, ...args]),
      verbose: ctx.verbose,
    };
    await helpCheck(image, log);
    await dryRunCheck(image, registry.url, log);
    await watchCheck(image, log);

    if (ctx.skipped.length > 0) {
      log('skipped (not reproducible without Docker):');
      for (const skip of ctx.skipped)
        log(`  stage ${skip.stage}, line ${String(skip.line)}: ${skip.command}   (${skip.why})`);
    }
    log(`PASS ${basename(dockerfile)}`);
    return { skipped: ctx.skipped };
  } finally {
    await registry?.stop();
    if (options.keep === true) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}
