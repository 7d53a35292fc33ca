// `docker run IMAGE --help` and `docker run IMAGE --dry-run`, performed on the laid-out image
// as its user: both exit 0, the dry run writes a JSON report naming the tags it would delete,
// and the registry keeps every tag.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CHECK_PLANNED, CHECK_TAGS, registryTags } from './check-registry.js';
import { RecipeError } from './errors.js';
import type { FinalImage } from './plan.js';
import { exitText, runProcess, seconds } from './process.js';

/** The laid-out image, ready to run as its user. */
export interface RunnableImage {
  final: FinalImage;
  /** The image's WORKDIR in the temp root. */
  dir: string;
  /** The ENTRYPOINT without its init process. */
  command: string[];
  env: NodeJS.ProcessEnv;
  /** The full argv (setpriv, node, entrypoint) for the given arguments. */
  argv(args: readonly string[]): string[];
  verbose: boolean;
}

export async function helpCheck(image: RunnableImage, log: (line: string) => void): Promise<void> {
  log(`RUN ${image.command.join(' ')} --help   (in ${image.final.workdir})`);
  const help = await runProcess(image.argv(['--help']), {
    cwd: image.dir,
    env: image.env,
    timeoutMs: 60_000,
  });
  if (help.code !== 0) throw new RecipeError(`--help exited ${exitText(help)}:\n${help.output}`);
  if (!help.output.includes('--watch'))
    throw new RecipeError(`--help does not mention --watch:\n${help.output}`);
  log('  ok: exit 0, the help mentions --watch');
}

function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => join(entry.parentPath, entry.name));
}

export async function dryRunCheck(
  image: RunnableImage,
  url: string,
  log: (line: string) => void,
): Promise<void> {
  log(`RUN ${image.command.join(' ')} --dry-run`);
  const started = Date.now();
  const run = await runProcess(image.argv(['--dry-run']), {
    cwd: image.dir,
    env: image.env,
    timeoutMs: 120_000,
    echo: image.verbose,
  });
  // A folder the tool writes but cannot (not a VOLUME of the USER's) ends here: exit 2, EACCES.
  if (run.code !== 0) throw new RecipeError(`--dry-run exited ${exitText(run)}:\n${run.output}`);
  const tags = await registryTags(url);
  if (tags.join(' ') !== CHECK_TAGS.map(([tag]) => tag).join(' '))
    throw new RecipeError(`the dry run changed the registry: tags now ${tags.join(' ')}`);
  const reports = jsonFilesUnder(join(image.dir, 'reports'));
  const report = reports.map((file) => readFileSync(file, 'utf8')).join('\n');
  const missing = CHECK_PLANNED.filter((tag) => !report.includes(`"${tag}"`));
  if (reports.length === 0 || missing.length > 0)
    throw new RecipeError(
      `no JSON report under reports/ naming ${(missing.length > 0 ? missing : CHECK_PLANNED).join(', ')}:\n${run.output}`,
    );
  log(
    `  ok: exit 0 in ${seconds(started)}, ${relative(image.dir, reports[0] ?? '')} plans ${CHECK_PLANNED.join(' ')}, registry untouched`,
  );
}
