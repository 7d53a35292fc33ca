// What each Dockerfile step means outside Docker, and the facts of the final image (the
// `--print-plan` output and what test/unit/image/dockerfiles.test.ts reads).
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import {
  parseDockerfile,
  type Flags,
  type ParsedDockerfile,
  type ParsedInstruction,
  type ParsedStage,
} from './dockerfile.js';

/** What the recipe does with one shell command of a RUN step. */
export type CommandAction =
  | { action: 'run'; argv: string[] }
  | { action: 'skip'; why: string }
  | { action: 'chown'; owner: string; paths: string[] }
  | { action: 'mkdir'; paths: string[] }
  | { action: 'unsupported'; why: string };

export type Step =
  | { kind: 'workdir'; line: number; path: string }
  | { kind: 'env'; line: number; env: Record<string, string> }
  | {
      kind: 'copy';
      line: number;
      from?: string;
      sources: string[];
      destination: string;
      destIsDir: boolean;
      add?: true;
    }
  | ({ kind: 'run'; line: number; command: string } & CommandAction);

export type RunStep = Extract<Step, { kind: 'run' }>;
export type CopyStep = Extract<Step, { kind: 'copy' }>;

export interface StagePlan {
  index: number;
  name?: string;
  base: string;
  workdir: string;
  user?: string;
  env: Record<string, string>;
  steps: Step[];
  npmCommands: string[];
  skipped: string[];
}

export interface FinalImage {
  index: number;
  base: string;
  workdir: string;
  user?: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  volumes: string[];
  entrypoint?: string[];
  cmd?: string[];
  healthcheck?: { none: boolean; options: Flags; exec?: string[]; shell?: string };
  /** The program the container runs once the init process hands over. */
  command?: string[];
}

export interface ImagePlan {
  stages: StagePlan[];
  final: FinalImage;
}

export interface Plan extends ImagePlan {
  dockerfile: string;
  parsed: ParsedDockerfile;
}

const OS_PACKAGE_MANAGERS = new Set(['apk', 'apt-get', 'apt', 'dpkg', 'yum', 'dnf', 'microdnf']);
const OWNERSHIP_COMMANDS = new Set([
  'chmod',
  'chgrp',
  'addgroup',
  'adduser',
  'useradd',
  'groupadd',
  'usermod',
]);
const INIT_PROCESSES = new Set(['tini', 'tini-static', 'dumb-init']);

export function classifyCommand(command: string): CommandAction {
  const words = command.split(/\s+/).filter((word) => word !== '');
  const [program = '', ...rest] = words;
  const operands = rest.filter((word) => !word.startsWith('-'));
  if (OS_PACKAGE_MANAGERS.has(program)) return { action: 'skip', why: 'OS package manager' };
  if (program === 'rm' && operands.every((word) => /^\/var\/(lib\/apt|cache)\//.test(word)))
    return { action: 'skip', why: 'OS package cache cleanup' };
  if (OWNERSHIP_COMMANDS.has(program))
    return { action: 'skip', why: 'users and ownership (not reproducible outside the image)' };
  // What the recipe performs it performs without a shell: words it would have to interpret
  // (quotes, variables, escapes, globs) are refused rather than passed on as written.
  if (/['"$`\\*?]/.test(command))
    return {
      action: 'unsupported',
      why: 'quotes, variables, escapes and globs are not reproduced',
    };
  if (program === 'npm' || program === 'npx' || program === 'node')
    return { action: 'run', argv: words };
  // `chown USER[:GROUP] PATH...` decides what the image's user may write: the recipe performs it
  // (on the VOLUMEs only, see image-user.ts), so a folder the Dockerfile forgets stays read-only.
  const [owner, ...paths] = operands;
  if (program === 'chown' && owner !== undefined && paths.length > 0)
    return { action: 'chown', owner, paths };
  if (program === 'mkdir') return { action: 'mkdir', paths: operands };
  return { action: 'unsupported', why: `the recipe does not know how to perform "${program}"` };
}

/** Drops an init process (tini -- / dumb-init) from the front of an ENTRYPOINT. */
export function withoutInit(argv: readonly string[]): string[] {
  const [first, ...rest] = argv;
  if (first === undefined || !INIT_PROCESSES.has(posix.basename(first))) return [...argv];
  const separator = rest.indexOf('--');
  if (separator !== -1) return rest.slice(separator + 1);
  while (rest[0]?.startsWith('-') === true) rest.shift();
  return rest;
}

/** `node:24-alpine`, `node:24.1-bookworm-slim@sha256:...` -> 24; undefined for other bases. */
export function imageNodeMajor(base: string): number | undefined {
  const match = /^(?:docker\.io\/(?:library\/)?)?node:(\d+)(?:[.-]|$)/.exec(base);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

const asArgv = (form: { exec?: string[]; shell?: string } | undefined): string[] | undefined =>
  form?.exec ?? (form?.shell === undefined ? undefined : ['/bin/sh', '-c', form.shell]);

/** Turns the parsed Dockerfile into the steps the recipe performs, and the final image's facts. */
export function planImage(parsed: ParsedDockerfile): ImagePlan {
  const stages = parsed.stages.map((stage): StagePlan => {
    const steps = stageSteps(stage);
    const runSteps = steps.filter((step): step is RunStep => step.kind === 'run');
    return {
      index: stage.index,
      ...(stage.name === undefined ? {} : { name: stage.name }),
      base: stage.base,
      workdir: stage.workdir,
      ...(stage.user === undefined ? {} : { user: stage.user }),
      env: stage.env,
      steps,
      npmCommands: runSteps
        .filter((step) => step.action === 'run' && step.argv[0] === 'npm')
        .map((step) => step.command),
      skipped: runSteps.filter((step) => step.action === 'skip').map((step) => step.command),
    };
  });
  const last = parsed.stages.at(-1);
  if (last === undefined) throw new Error('a parsed Dockerfile has at least one stage');
  return { stages, final: finalImage(last) };
}

function finalImage(last: ParsedStage): FinalImage {
  const lastOf = <K extends ParsedInstruction['keyword']>(
    keyword: K,
  ): Extract<ParsedInstruction, { keyword: K }> | undefined =>
    last.instructions.findLast(
      (instruction): instruction is Extract<ParsedInstruction, { keyword: K }> =>
        instruction.keyword === keyword,
    );
  const all = <K extends ParsedInstruction['keyword']>(
    keyword: K,
  ): Extract<ParsedInstruction, { keyword: K }>[] =>
    last.instructions.filter(
      (instruction): instruction is Extract<ParsedInstruction, { keyword: K }> =>
        instruction.keyword === keyword,
    );
  const entrypoint = asArgv(lastOf('ENTRYPOINT'));
  const cmd = asArgv(lastOf('CMD'));
  const check = lastOf('HEALTHCHECK');
  return {
    index: last.index,
    base: last.base,
    workdir: last.workdir,
    ...(last.user === undefined ? {} : { user: last.user }),
    env: last.env,
    labels: Object.assign({}, ...all('LABEL').map((label) => label.labels)) as Record<
      string,
      string
    >,
    volumes: all('VOLUME').flatMap((volume) => volume.paths),
    ...(entrypoint === undefined ? {} : { entrypoint }),
    ...(cmd === undefined ? {} : { cmd }),
    ...(check === undefined
      ? {}
      : {
          healthcheck: {
            none: check.none,
            options: check.options,
            ...(check.exec === undefined ? {} : { exec: check.exec }),
            ...(check.shell === undefined ? {} : { shell: check.shell }),
          },
        }),
    // Only an exec-form ENTRYPOINT names a program the check can run without a shell.
    ...(lastOf('ENTRYPOINT')?.exec === undefined || entrypoint === undefined
      ? {}
      : { command: withoutInit(entrypoint) }),
  };
}

function stageSteps(stage: ParsedStage): Step[] {
  const steps: Step[] = [];
  for (const instruction of stage.instructions) {
    switch (instruction.keyword) {
      case 'ENV':
        steps.push({ kind: 'env', line: instruction.line, env: instruction.env });
        break;
      case 'WORKDIR':
        steps.push({ kind: 'workdir', line: instruction.line, path: instruction.path });
        break;
      case 'COPY':
      case 'ADD':
        steps.push({
          kind: 'copy',
          line: instruction.line,
          ...(instruction.from === undefined ? {} : { from: instruction.from }),
          sources: instruction.sources,
          destination: instruction.destination,
          destIsDir: instruction.destIsDir,
          ...(instruction.keyword === 'ADD' ? { add: true as const } : {}),
        });
        break;
      case 'RUN':
        for (const command of instruction.commands)
          steps.push({
            kind: 'run',
            line: instruction.line,
            command,
            ...classifyCommand(command),
          });
        break;
      case 'ARG':
      case 'LABEL':
      case 'USER':
      case 'CMD':
      case 'ENTRYPOINT':
      case 'VOLUME':
      case 'HEALTHCHECK':
      case 'OTHER':
        break;
    }
  }
  return steps;
}

/** Reads and plans a Dockerfile; the shape `--print-plan` prints. */
export function readPlan(dockerfile: string): Plan {
  const parsed = parseDockerfile(readFileSync(dockerfile, 'utf8'));
  return { dockerfile, ...planImage(parsed), parsed };
}
