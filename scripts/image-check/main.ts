// Proves a Dockerfile's recipe without a Docker engine (CI has none): performs its COPY and
// npm RUN steps stage by stage, then runs the image's ENTRYPOINT as its USER with only its
// VOLUMEs writable: --help, a --dry-run against a real local registry, and the default CMD
// until /healthz answers, then SIGTERM. The steps come from the Dockerfile itself, so the
// Dockerfiles and this check cannot drift.
//
//   npm run image:check                       (both Dockerfiles; compiles this folder first)
//   node build/scripts/image-check/main.js [Dockerfile] [--print-plan] [--keep] [--verbose]
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RecipeError } from './errors.js';
import { imageNodeMajor, readPlan } from './plan.js';
import { runRecipe } from './recipe.js';

const USAGE = `usage: npm run image:check, or node build/scripts/image-check/main.js [DOCKERFILE] [options]

Performs a Dockerfile's build and run steps without Docker (default DOCKERFILE: Dockerfile),
then runs the image as its USER with only its VOLUMEs writable (start it as root): --help, a
--dry-run against a local docker-registry, and the default CMD up to a passing HEALTHCHECK and
a SIGTERM.

  --print-plan            print the parsed stages and steps as JSON, perform nothing
  --context DIR           build context (default: the Dockerfile's folder)
  --keep                  keep the temp directories
  --verbose               echo the output of every command
  -h, --help              this text`;

interface CommandLine {
  dockerfile: string;
  context?: string;
  printPlan?: boolean;
  keep?: boolean;
  verbose?: boolean;
  help?: boolean;
}

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const options: CommandLine = { dockerfile: 'Dockerfile' };
  const rest = [...argv];
  let positional = false;
  for (let arg = rest.shift(); arg !== undefined; arg = rest.shift()) {
    if (arg === '--print-plan') options.printPlan = true;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--verbose') options.verbose = true;
    else if (arg === '-h' || arg === '--help') options.help = true;
    else if (arg === '--context') {
      const value = rest.shift();
      if (value === undefined) throw new RecipeError(`${arg} needs a value`);
      options.context = value;
    } else if (arg.startsWith('-') || positional)
      throw new RecipeError(`unexpected argument ${arg}\n${USAGE}`);
    else {
      options.dockerfile = arg;
      positional = true;
    }
  }
  return options;
}

/** Set in the environment of a re-run under another Node, so that it never re-runs again. */
const SAME_NODE_ENV = 'REG_CLEANER_RECIPE_SAME_NODE';

/**
 * The recipe proves the image's steps on the Node the image ships: run on another major (the
 * machines have Node 20, the images Node 24), it runs itself again under that major, taken from
 * the npm registry (`npx -p node@24`, whose `node` also runs the recipe's npm commands).
 * Returns the exit code of that run, or undefined when this process is already the right one.
 */
async function rerunOnImageNode(
  options: CommandLine,
  argv: readonly string[],
): Promise<number | undefined> {
  const wanted = imageNodeMajor(readPlan(options.dockerfile).final.base);
  const running = Number(process.versions.node.split('.')[0]);
  if (wanted === undefined || wanted === running || process.env[SAME_NODE_ENV] !== undefined)
    return undefined;
  console.log(
    `the image runs Node ${String(wanted)}, this is Node ${String(running)}: performing the recipe with node@${String(wanted)} from the npm registry (${SAME_NODE_ENV}=1 skips this)`,
  );
  const script = fileURLToPath(import.meta.url);
  const child = spawn('npx', ['-y', '-p', `node@${String(wanted)}`, 'node', script, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, [SAME_NODE_ENV]: '1' },
  });
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolvePromise(code ?? (signal === null ? 1 : 128));
    });
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseCommandLine(argv);
  if (options.help === true) {
    console.log(USAGE);
    return 0;
  }
  if (options.printPlan === true) {
    const plan = readPlan(options.dockerfile);
    console.log(JSON.stringify({ ...plan, dockerfile: options.dockerfile }, null, 2));
    return 0;
  }
  const rerun = await rerunOnImageNode(options, argv);
  if (rerun !== undefined) return rerun;
  console.log(`Node ${process.versions.node}`);
  await runRecipe({
    dockerfile: options.dockerfile,
    ...(options.context === undefined ? {} : { context: options.context }),
    keep: options.keep === true,
    verbose: options.verbose === true,
  });
  return 0;
}

const invokedDirectly =
  process.argv[1] !== undefined && pathToFileURL(resolve(process.argv[1])).href === import.meta.url;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const text =
        error instanceof RecipeError ? error.message : String((error as Error).stack ?? error);
      console.error(`image check FAILED: ${text}`);
      process.exitCode = 1;
    },
  );
}
