// Reads a Dockerfile with dockerfile-ast (the parser of the Dockerfile language server): it
// handles the escape directive, continuation lines, comments inside them, quoting of ENV and
// LABEL values, flags and the exec (JSON) form. This file only adds what Docker does on top
// and the parser leaves to its caller: stages with their inherited env, workdir and user, and
// ARG/ENV expansion in the instructions where Docker expands variables.
import { posix } from 'node:path';
import {
  Add,
  Arg,
  Cmd,
  Copy,
  DockerfileParser,
  Entrypoint,
  Env,
  From,
  Healthcheck,
  JSONInstruction,
  Label,
  ModifiableInstruction,
  Run,
  User,
  Volume,
  Workdir,
  type Instruction,
  type Property,
} from 'dockerfile-ast';
import { DockerfileError } from './errors.js';
import { expand, splitCommands, type Variables } from './shell.js';

/** `--name=value` flags; a flag written without a value is `true`. */
export type Flags = Record<string, string | true>;

interface Located {
  line: number;
}

interface CopyFields {
  flags: Flags;
  from?: string;
  sources: string[];
  /** The destination as written, and resolved against the WORKDIR. */
  dest: string;
  destination: string;
  /** A trailing slash, `.`, or several sources make the destination a folder. */
  destIsDir: boolean;
}

/** The exec form `["a", "b"]`, or the shell form's text. */
interface CommandForm {
  exec?: string[];
  shell?: string;
}

export type ParsedInstruction = Located &
  (
    | { keyword: 'ARG'; args: Record<string, string> }
    | { keyword: 'ENV'; env: Record<string, string> }
    | { keyword: 'LABEL'; labels: Record<string, string> }
    | { keyword: 'WORKDIR'; path: string }
    | { keyword: 'USER'; user: string }
    | ({ keyword: 'COPY' } & CopyFields)
    | ({ keyword: 'ADD' } & CopyFields)
    | { keyword: 'RUN'; flags: Flags; commands: string[]; exec?: string[]; shell?: string }
    | ({ keyword: 'CMD' } & CommandForm)
    | ({ keyword: 'ENTRYPOINT' } & CommandForm)
    | { keyword: 'VOLUME'; paths: string[] }
    | { keyword: 'HEALTHCHECK'; options: Flags; none: boolean; exec?: string[]; shell?: string }
    | { keyword: 'OTHER'; instruction: string; text: string }
  );

export interface ParsedStage {
  index: number;
  /** `AS name`, lower-cased as Docker compares it. */
  name?: string;
  base: string;
  platform?: string;
  line: number;
  env: Record<string, string>;
  args: Record<string, string>;
  workdir: string;
  user?: string;
  instructions: ParsedInstruction[];
}

export interface ParsedDockerfile {
  args: Record<string, string>;
  stages: ParsedStage[];
}

const lineOf = (instruction: Instruction): number => instruction.getRange().start.line + 1;

/** The instruction's words after its flags, joined by one space (comments and escapes gone). */
function argumentText(instruction: Instruction): string {
  return instruction
    .getArguments()
    .map((argument) => argument.getValue())
    .join(' ');
}

function flagsOf(instruction: ModifiableInstruction): Flags {
  return Object.fromEntries(
    instruction.getFlags().map((flag) => [flag.getName(), flag.getValue() ?? true]),
  );
}

/** The exec form `["a", "b"]` as its strings, or undefined for the shell form. */
function execForm(instruction: JSONInstruction): string[] | undefined {
  if (instruction.getOpeningBracket() === null) return undefined;
  return instruction.getJSONStrings().map((string) => string.getJSONValue());
}

function properties(list: Property[], vars: Variables): Record<string, string> {
  return Object.fromEntries(
    list.map((property) => [property.getName(), expand(property.getValue() ?? '', vars)]),
  );
}

/** Parses a Dockerfile into stages of instructions, with variables expanded as Docker does. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: ParsedStage[] = [];
  let stage: ParsedStage | undefined;
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const line = lineOf(instruction);
    if (instruction instanceof From) {
      stage = startStage(instruction, stages, globalArgs);
      stages.push(stage);
    } else if (stage === undefined) {
      if (!(instruction instanceof Arg)) {
        throw new DockerfileError(line, `${instruction.getKeyword()} before the first FROM`);
      }
      const property = instruction.getProperty();
      if (property !== null)
        globalArgs[property.getName()] = expand(property.getValue() ?? '', globalArgs);
    } else {
      stage.instructions.push(readInstruction(instruction, stage, globalArgs));
    }
  }
  if (stages.length === 0) throw new DockerfileError(0, 'no FROM instruction');
  return { args: globalArgs, stages };
}

function startStage(from: From, stages: ParsedStage[], globalArgs: Variables): ParsedStage {
  const line = lineOf(from);
  const image = expand(from.getImage() ?? '', globalArgs);
  if (image === '') throw new DockerfileError(line, 'FROM without an image');
  const name = from.getBuildStage()?.toLowerCase();
  const platform = from.getPlatformFlag()?.getValue() ?? undefined;
  // `FROM build AS x` starts from another stage's filesystem, env, workdir and user.
  const parent = stages.find((other) => other.name !== undefined && other.name === image);
  return {
    index: stages.length,
    ...(name === undefined ? {} : { name }),
    base: image,
    ...(platform === undefined ? {} : { platform }),
    line,
    env: { ...parent?.env },
    args: {},
    workdir: parent?.workdir ?? '/',
    ...(parent?.user === undefined ? {} : { user: parent.user }),
    instructions: [],
  };
}

function readInstruction(
  instruction: Instruction,
  stage: ParsedStage,
  globalArgs: Variables,
): ParsedInstruction {
  const line = lineOf(instruction);
  const vars: Variables = { ...stage.args, ...stage.env };
  if (instruction instanceof Arg) {
    const property = instruction.getProperty();
    if (property === null) throw new DockerfileError(line, 'ARG without a name');
    const name = property.getName();
    const value = property.getValue();
    // A stage ARG without a default takes the global one of the same name.
    const args = { [name]: value === null ? (globalArgs[name] ?? '') : expand(value, vars) };
    Object.assign(stage.args, args);
    return { keyword: 'ARG', line, args };
  }
  if (instruction instanceof Env) {
    const env = properties(instruction.getProperties(), vars);
    Object.assign(stage.env, env);
    return { keyword: 'ENV', line, env };
  }
  if (instruction instanceof Label)
    return { keyword: 'LABEL', line, labels: properties(instruction.getProperties(), vars) };
  if (instruction instanceof Workdir) {
    stage.workdir = posix.resolve(stage.workdir, expand(argumentText(instruction), vars));
    return { keyword: 'WORKDIR', line, path: stage.workdir };
  }
  if (instruction instanceof User) {
    stage.user = expand(argumentText(instruction), vars);
    return { keyword: 'USER', line, user: stage.user };
  }
  if (instruction instanceof Copy || instruction instanceof Add)
    return readCopy(instruction, stage.workdir, vars, line);
  if (instruction instanceof Run) return readRun(instruction, line);
  if (instruction instanceof Cmd || instruction instanceof Entrypoint) {
    const exec = execForm(instruction);
    const form = exec === undefined ? { shell: argumentText(instruction) } : { exec };
    return instruction instanceof Cmd
      ? { keyword: 'CMD', line, ...form }
      : { keyword: 'ENTRYPOINT', line, ...form };
  }
  if (instruction instanceof Volume) {
    const paths = execForm(instruction) ?? argumentText(instruction).split(' ');
    return { keyword: 'VOLUME', line, paths: paths.map((path) => expand(path, vars)) };
  }
  if (instruction instanceof Healthcheck) return readHealthcheck(instruction, line);
  return {
    keyword: 'OTHER',
    line,
    instruction: instruction.getKeyword(),
    text: argumentText(instruction),
  };
}

function readCopy(
  instruction: Copy | Add,
  workdir: string,
  vars: Variables,
  line: number,
): ParsedInstruction {
  const keyword = instruction instanceof Copy ? 'COPY' : 'ADD';
  if (instruction instanceof Copy && instruction.getHeredocs().length > 0)
    throw new DockerfileError(line, 'COPY with a heredoc is not reproduced');
  const words = (
    execForm(instruction) ?? instruction.getArguments().map((argument) => argument.getValue())
  ).map((word) => expand(word, vars));
  const dest = words.at(-1);
  if (words.length < 2 || dest === undefined)
    throw new DockerfileError(line, `${keyword} needs a source and a destination`);
  const flags = flagsOf(instruction);
  const from = flags['from'];
  const fields: CopyFields = {
    flags,
    ...(typeof from === 'string' ? { from: from.toLowerCase() } : {}),
    sources: words.slice(0, -1),
    dest,
    destination: posix.resolve(workdir, dest),
    destIsDir: dest.endsWith('/') || dest === '.' || dest === '..' || words.length > 2,
  };
  return keyword === 'COPY' ? { keyword, line, ...fields } : { keyword, line, ...fields };
}

function readRun(instruction: Run, line: number): ParsedInstruction {
  if (instruction.getHeredocs().length > 0)
    throw new DockerfileError(line, 'RUN with a heredoc is not reproduced; join commands by &&');
  const flags = flagsOf(instruction);
  const exec = execForm(instruction);
  if (exec !== undefined) return { keyword: 'RUN', line, flags, exec, commands: [exec.join(' ')] };
  const shell = argumentText(instruction);
  try {
    return { keyword: 'RUN', line, flags, shell, commands: splitCommands(shell) };
  } catch (error) {
    throw new DockerfileError(line, error instanceof Error ? error.message : String(error));
  }
}

function readHealthcheck(instruction: Healthcheck, line: number): ParsedInstruction {
  const options = flagsOf(instruction);
  const subcommand = instruction.getSubcommand()?.getValue().toUpperCase();
  if (subcommand === 'NONE') return { keyword: 'HEALTHCHECK', line, options, none: true };
  if (subcommand !== 'CMD') throw new DockerfileError(line, 'HEALTHCHECK needs CMD or NONE');
  const [, ...words] = instruction.getArguments().map((argument) => argument.getValue());
  const command = words.join(' ');
  const exec = parseExecJson(command);
  return {
    keyword: 'HEALTHCHECK',
    line,
    options,
    none: false,
    ...(exec === undefined ? { shell: command } : { exec }),
  };
}

/** HEALTHCHECK CMD's own exec form: the parser leaves everything after CMD as words. */
function parseExecJson(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((item) => typeof item === 'string')
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}
