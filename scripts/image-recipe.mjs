#!/usr/bin/env node
// Proves a Dockerfile's recipe without a Docker engine: reads the Dockerfile, performs its
// COPY and npm RUN steps stage by stage in temp directories (one "root filesystem" per stage),
// then runs the final stage's ENTRYPOINT (without the init process) from the laid-out image,
// as the image's USER (uid 1000, dropped to with setpriv: start it as root) with only the
// VOLUMEs writable: --help, a one-shot --dry-run against a real local registry (docker-registry
// on 127.0.0.1), and the default CMD until /healthz answers 200, then SIGTERM.
// The steps come from the Dockerfile itself, so the Dockerfiles and this check cannot drift.
//
//   node scripts/image-recipe.mjs [Dockerfile] [--print-plan] [--keep] [--verbose]
//
// Plain Node ESM on purpose: it must run before anything is built. Its parser is imported by
// test/unit/image/dockerfiles.test.ts.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/** Joins continuation lines and drops comments, as BuildKit's parser does. */
export function logicalLines(text) {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  // Parser directives (`# escape=` / `# syntax=`) may only open the file.
  for (const line of lines) {
    const directive = /^#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(line);
    if (directive === null) break;
    if (directive[1].toLowerCase() === 'escape') escape = directive[2];
  }
  const continuation = new RegExp(`${escapeRegExp(escape)}[ \\t]*$`);
  const result = [];
  let buffer;
  let start = 0;
  lines.forEach((line, index) => {
    const isComment = /^\s*#/.test(line);
    const isBlank = line.trim() === '';
    // Comment and blank lines are dropped, also in the middle of a continued instruction.
    if (isComment || isBlank) return;
    if (buffer === undefined) {
      buffer = '';
      start = index + 1;
    }
    if (continuation.test(line)) {
      buffer += line.replace(continuation, '');
      return;
    }
    result.push({ line: start, text: (buffer + line).trim() });
    buffer = undefined;
  });
  if (buffer !== undefined && buffer.trim() !== '')
    result.push({ line: start, text: buffer.trim() });
  return result;
}

/**
 * Parses a Dockerfile into stages of instructions. Variables (`$X`, `${X}`, `${X:-d}`) are
 * expanded from ARG defaults and ENV where Docker expands them; RUN commands are kept as
 * written and split into the commands joined by `&&` or `;`.
 */
export function parseDockerfile(text) {
  const globalArgs = {};
  const stages = [];
  let stage;
  for (const { line, text: source } of logicalLines(text)) {
    const match = /^(\S+)\s*([\s\S]*)$/.exec(source);
    if (match === null) continue;
    const keyword = match[1].toUpperCase();
    const rest = match[2].trim();
    if (keyword === 'FROM') {
      const words = rest.split(/\s+/);
      const flags = takeFlags(words);
      const image = expand(words[0] ?? '', globalArgs);
      const name =
        words.length >= 3 && words[1].toUpperCase() === 'AS' ? words[2].toLowerCase() : undefined;
      const parent = stages.find(
        (other) => other.name !== undefined && other.name === image.toLowerCase(),
      );
      stage = {
        index: stages.length,
        name,
        base: image,
        ...(flags.platform === undefined ? {} : { platform: flags.platform }),
        line,
        // `FROM build AS x` starts from another stage's filesystem, env and workdir.
        env: parent === undefined ? {} : { ...parent.env },
        args: {},
        workdir: parent === undefined ? '/' : parent.workdir,
        user: parent === undefined ? undefined : parent.user,
        instructions: [],
      };
      stages.push(stage);
      continue;
    }
    if (stage === undefined) {
      if (keyword !== 'ARG') throw new DockerfileError(line, `${keyword} before the first FROM`);
      Object.assign(globalArgs, parseAssignments(rest, globalArgs, 'ARG'));
      continue;
    }
    const vars = { ...stage.args, ...stage.env };
    const instruction = parseInstruction(keyword, rest, vars, stage, line, globalArgs);
    stage.instructions.push(instruction);
  }
  if (stages.length === 0) throw new DockerfileError(0, 'no FROM instruction');
  return { args: globalArgs, stages };
}

function parseInstruction(keyword, rest, vars, stage, line, globalArgs) {
  const base = { keyword, line, source: `${keyword} ${rest}` };
  switch (keyword) {
    case 'ARG': {
      const args = parseAssignments(rest, vars, 'ARG');
      // A stage ARG without a default takes the global one of the same name.
      for (const [name, value] of Object.entries(args)) {
        const global = globalArgs[name];
        args[name] = value === undefined && global !== undefined ? global : (value ?? '');
      }
      Object.assign(stage.args, args);
      return { ...base, args };
    }
    case 'ENV': {
      const env = parseAssignments(rest, vars, 'ENV');
      Object.assign(stage.env, env);
      return { ...base, env };
    }
    case 'LABEL':
      return { ...base, labels: parseAssignments(rest, vars, 'LABEL') };
    case 'WORKDIR': {
      stage.workdir = posix.resolve(stage.workdir, expand(rest, vars));
      return { ...base, path: stage.workdir };
    }
    case 'USER':
      stage.user = expand(rest, vars);
      return { ...base, user: stage.user };
    case 'COPY':
    case 'ADD': {
      const words = parseCopyWords(rest, vars);
      const flags = takeFlags(words);
      if (words.length < 2) {
        throw new DockerfileError(line, `${keyword} needs a source and a destination`);
      }
      const dest = words[words.length - 1];
      const destination = posix.resolve(stage.workdir, dest);
      return {
        ...base,
        flags,
        from: flags.from,
        sources: words.slice(0, -1),
        dest,
        // A trailing slash (or `.`) makes the destination a directory, as Docker reads it.
        destination,
        destIsDir: dest.endsWith('/') || dest === '.' || dest === '..' || words.length > 2,
      };
    }
    case 'RUN': {
      const exec = parseExecForm(rest);
      if (exec !== undefined) return { ...base, flags: {}, exec, commands: [exec.join(' ')] };
      const words = rest.split(/(\s+)/);
      const flagWords = [];
      while (words.length > 0 && words[0].startsWith('--')) {
        flagWords.push(words.shift());
        words.shift(); // the whitespace after it
      }
      const command = words.join('').trim();
      return {
        ...base,
        flags: takeFlags(flagWords),
        shell: command,
        commands: splitCommands(command, line),
      };
    }
    case 'CMD':
    case 'ENTRYPOINT': {
      const exec = parseExecForm(rest);
      return exec === undefined ? { ...base, shell: rest } : { ...base, exec };
    }
    case 'VOLUME': {
      const exec = parseExecForm(rest);
      const paths = (exec ?? rest.split(/\s+/)).map((path) => expand(path, vars));
      return { ...base, paths };
    }
    case 'HEALTHCHECK': {
      const words = rest.split(/(\s+)/);
      const optionWords = [];
      while (words.length > 0 && words[0].startsWith('--')) {
        optionWords.push(words.shift());
        words.shift();
      }
      const remainder = words.join('').trim();
      if (/^NONE$/i.test(remainder))
        return { ...base, options: takeFlags(optionWords), none: true };
      const cmd = /^CMD\s+([\s\S]*)$/i.exec(remainder);
      if (cmd === null) throw new DockerfileError(line, 'HEALTHCHECK needs CMD or NONE');
      const exec = parseExecForm(cmd[1]);
      return {
        ...base,
        options: takeFlags(optionWords),
        none: false,
        ...(exec === undefined ? { shell: cmd[1].trim() } : { exec }),
      };
    }
    default:
      return { ...base, args: rest };
  }
}

export class DockerfileError extends Error {
  constructor(line, message) {
    super(line > 0 ? `Dockerfile line ${line}: ${message}` : `Dockerfile: ${message}`);
    this.name = 'DockerfileError';
  }
}

/** `["a", "b"]` (JSON) or undefined for the shell form, as Docker decides. */
function parseExecForm(text) {
  if (!text.trim().startsWith('[')) return undefined;
  try {
    const value = JSON.parse(text);
    return Array.isArray(value) && value.every((item) => typeof item === 'string')
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

function parseCopyWords(rest, vars) {
  const words = rest.split(/\s+/);
  const flags = [];
  while (words.length > 0 && words[0].startsWith('--')) flags.push(words.shift());
  const exec = parseExecForm(words.join(' '));
  return [...flags, ...(exec ?? words).map((word) => expand(word, vars))];
}

/** Removes the leading `--name=value` / `--name` words, returning them as an object. */
function takeFlags(words) {
  const flags = {};
  while (words.length > 0 && words[0].startsWith('--')) {
    const word = words.shift();
    const eq = word.indexOf('=');
    if (eq === -1) flags[word.slice(2)] = true;
    else flags[word.slice(2, eq)] = word.slice(eq + 1);
  }
  return flags;
}

/** `KEY=value KEY2="two words"`, or the legacy `ENV KEY value` form. */
function parseAssignments(rest, vars, keyword) {
  const words = shellWords(rest, vars);
  const result = {};
  if (keyword === 'ENV' && words.length > 0 && !words[0].includes('=')) {
    // Legacy form: everything after the first word is the value.
    result[words[0]] = words.slice(1).join(' ');
    return result;
  }
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq === -1) {
      if (keyword !== 'ARG') {
        throw new DockerfileError(0, `${keyword} expects KEY=value, got "${word}"`);
      }
      result[word] = undefined;
    } else {
      result[word.slice(0, eq)] = word.slice(eq + 1);
    }
  }
  return result;
}

/** `$X`, `${X}`, `${X:-default}`, `${X:+alternative}`; `\$` stays a literal dollar. */
export function expand(text, vars) {
  return text.replace(
    /\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced, op, word, bare) => {
      if (whole === '\\$') return '$';
      const name = braced ?? bare;
      const value = vars[name];
      const set = value !== undefined && value !== '';
      if (op === '-') return set ? value : word;
      if (op === '+') return set ? word : '';
      return value ?? '';
    },
  );
}

/** Splits on unquoted whitespace, removes quotes, expands variables (not inside '...'). */
export function shellWords(text, vars) {
  const words = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const dollar = (from) => {
    const match = /^\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(from));
    return match === null ? undefined : match[0];
  };
  while (i < text.length) {
    const char = text[i];
    if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i += 1;
      continue;
    }
    inWord = true;
    if (char === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1) throw new DockerfileError(0, `unterminated ' in: ${text}`);
      word += text.slice(i + 1, end);
      i = end + 1;
    } else if (char === '"') {
      i += 1;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) {
          word += text[i + 1];
          i += 2;
        } else if (text[i] === '$' && dollar(i) !== undefined) {
          const reference = dollar(i);
          word += expand(reference, vars);
          i += reference.length;
        } else {
          word += text[i];
          i += 1;
        }
      }
      if (i >= text.length) throw new DockerfileError(0, `unterminated " in: ${text}`);
      i += 1;
    } else if (char === '\\' && i + 1 < text.length) {
      word += text[i + 1];
      i += 2;
    } else if (char === '$' && dollar(i) !== undefined) {
      const reference = dollar(i);
      word += expand(reference, vars);
      i += reference.length;
    } else {
      word += char;
      i += 1;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** `a && b; c` -> ['a', 'b', 'c']; refuses what the recipe could not reproduce faithfully. */
export function splitCommands(command, line = 0) {
  const commands = [];
  let current = '';
  let quote;
  for (let i = 0; i < command.length; i++) {
    const char = command[i];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      current += char;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      current += char;
      continue;
    }
    if (char === '&' && command[i + 1] === '&') {
      commands.push(current.trim());
      current = '';
      i += 1;
      continue;
    }
    if (char === ';') {
      commands.push(current.trim());
      current = '';
      continue;
    }
    if ((char === '|' && command[i + 1] === '|') || command.startsWith('<<', i)) {
      throw new DockerfileError(
        line,
        `the recipe cannot reproduce "${command}" (|| or heredoc); keep RUN to commands joined by &&`,
      );
    }
    current += char;
  }
  if (current.trim() !== '') commands.push(current.trim());
  return commands.filter((part) => part !== '');
}

// ---------------------------------------------------------------------------------------------
// Plan: what each step means outside Docker
// ---------------------------------------------------------------------------------------------

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

/** What the recipe does with one shell command of a RUN step. */
export function classifyCommand(command, vars = {}) {
  const words = shellWords(command, vars);
  const program = words[0] ?? '';
  if (program === 'npm' || program === 'npx' || program === 'node')
    return { action: 'run', argv: words };
  if (OS_PACKAGE_MANAGERS.has(program)) return { action: 'skip', why: 'OS package manager' };
  if (
    program === 'rm' &&
    words.slice(1).every((word) => word.startsWith('-') || /^\/var\/(lib\/apt|cache)\//.test(word))
  ) {
    return { action: 'skip', why: 'OS package cache cleanup' };
  }
  // `chown USER[:GROUP] PATH...` decides what the image's user may write: the recipe performs it
  // (on the VOLUMEs only, see lockDown), so a folder the Dockerfile forgets stays read-only.
  if (program === 'chown') {
    const [owner, ...paths] = words.slice(1).filter((word) => !word.startsWith('-'));
    if (owner !== undefined && paths.length > 0) return { action: 'chown', owner, paths };
  }
  if (OWNERSHIP_COMMANDS.has(program))
    return { action: 'skip', why: 'users and ownership (not reproducible outside the image)' };
  if (program === 'mkdir')
    return { action: 'mkdir', paths: words.slice(1).filter((word) => !word.startsWith('-')) };
  return { action: 'unsupported', why: `the recipe does not know how to perform "${program}"` };
}

/** Drops an init process (tini -- / dumb-init) from the front of an ENTRYPOINT. */
export function withoutInit(argv) {
  if (argv.length === 0 || !INIT_PROCESSES.has(posix.basename(argv[0]))) return [...argv];
  const rest = argv.slice(1);
  const separator = rest.indexOf('--');
  if (separator !== -1) return rest.slice(separator + 1);
  while (rest.length > 0 && rest[0].startsWith('-')) rest.shift();
  return rest;
}

/** Turns the parsed Dockerfile into the steps the recipe performs, and the final image's facts. */
export function planImage(parsed) {
  const stages = parsed.stages.map((stage) => ({
    index: stage.index,
    name: stage.name,
    base: stage.base,
    workdir: stage.workdir,
    user: stage.user,
    env: stage.env,
    steps: stageSteps(stage),
  }));
  for (const stage of stages) {
    stage.npmCommands = stage.steps
      .filter((step) => step.kind === 'run' && step.action === 'run' && step.argv[0] === 'npm')
      .map((step) => step.command);
    stage.skipped = stage.steps
      .filter((step) => step.kind === 'run' && step.action === 'skip')
      .map((step) => step.command);
  }
  const last = parsed.stages[parsed.stages.length - 1];
  const lastOf = (keyword) =>
    [...last.instructions].reverse().find((instruction) => instruction.keyword === keyword);
  const entrypoint = lastOf('ENTRYPOINT');
  const cmd = lastOf('CMD');
  const healthcheck = lastOf('HEALTHCHECK');
  const labels = Object.assign(
    {},
    ...last.instructions.filter((i) => i.keyword === 'LABEL').map((i) => i.labels),
  );
  const volumes = last.instructions.filter((i) => i.keyword === 'VOLUME').flatMap((i) => i.paths);
  const entryArgv = entrypoint?.exec;
  return {
    stages,
    final: {
      index: last.index,
      base: last.base,
      workdir: last.workdir,
      user: last.user,
      env: last.env,
      labels,
      volumes,
      entrypoint:
        entryArgv ?? (entrypoint === undefined ? undefined : ['/bin/sh', '-c', entrypoint.shell]),
      cmd: cmd?.exec ?? (cmd === undefined ? undefined : ['/bin/sh', '-c', cmd.shell]),
      healthcheck:
        healthcheck === undefined
          ? undefined
          : {
              none: healthcheck.none,
              options: healthcheck.options,
              ...(healthcheck.exec === undefined ? {} : { exec: healthcheck.exec }),
              ...(healthcheck.shell === undefined ? {} : { shell: healthcheck.shell }),
            },
      // The program the container runs once the init process hands over.
      command: entryArgv === undefined ? undefined : withoutInit(entryArgv),
    },
  };
}

function stageSteps(stage) {
  const steps = [];
  const vars = { ...stage.args };
  for (const instruction of stage.instructions) {
    switch (instruction.keyword) {
      case 'ENV':
        Object.assign(vars, instruction.env);
        steps.push({ kind: 'env', line: instruction.line, env: instruction.env });
        break;
      case 'ARG':
        Object.assign(vars, instruction.args);
        break;
      case 'WORKDIR':
        steps.push({ kind: 'workdir', line: instruction.line, path: instruction.path });
        break;
      case 'COPY':
      case 'ADD':
        steps.push({
          kind: 'copy',
          line: instruction.line,
          ...(instruction.from === undefined
            ? {}
            : { from: String(instruction.from).toLowerCase() }),
          sources: instruction.sources,
          destination: instruction.destination,
          destIsDir: instruction.destIsDir,
          ...(instruction.keyword === 'ADD' ? { add: true } : {}),
        });
        break;
      case 'RUN':
        for (const command of instruction.commands) {
          steps.push({
            kind: 'run',
            line: instruction.line,
            command,
            ...classifyCommand(command, vars),
          });
        }
        break;
      default:
        break;
    }
  }
  return steps;
}

/** Reads and plans a Dockerfile; the shape `--print-plan` prints. */
export function readPlan(dockerfilePath) {
  const text = readFileSync(dockerfilePath, 'utf8');
  const parsed = parseDockerfile(text);
  return { dockerfile: dockerfilePath, ...planImage(parsed), parsed };
}

// ---------------------------------------------------------------------------------------------
// .dockerignore
// ---------------------------------------------------------------------------------------------

/**
 * Returns `(relativePath) => excluded`, with Docker's rules: patterns are paths relative to
 * the context (`*`, `?`, `**`), a matching directory excludes everything inside it, `!`
 * re-includes, and the last matching pattern wins.
 */
export function parseDockerignore(text) {
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      let pattern = posix.normalize((negated ? line.slice(1) : line).trim()).replace(/^\/+/, '');
      pattern = pattern.replace(/\/+$/, '');
      return { negated, regex: globToRegExp(pattern) };
    });
  return (relativePath) => {
    const path = relativePath.split(sep).join('/').replace(/^\.\//, '');
    const parts = path.split('/');
    const prefixes = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
    let excluded = false;
    for (const rule of rules) {
      if (prefixes.some((prefix) => rule.regex.test(prefix))) excluded = !rule.negated;
    }
    return excluded;
  };
}

function globToRegExp(pattern) {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '*' && pattern[i + 1] === '*') {
      // `**/` matches any number of directories, including none.
      if (pattern[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// Performing the recipe
// ---------------------------------------------------------------------------------------------

class RecipeError extends Error {
  constructor(message) {
    super(message);
    this.name = 'RecipeError';
  }
}

/** An absolute path of the image, inside a stage's temp root. */
function inRoot(root, imagePath) {
  return join(root, ...posix.resolve('/', imagePath).split('/').filter(Boolean));
}

/** Context paths matching a COPY source (`*` and `?` in the last component). */
function contextMatches(context, source, ignored) {
  const normalized = posix.normalize(source).replace(/^\/+/, '').replace(/\/+$/, '');
  if (normalized.startsWith('..')) {
    throw new RecipeError(`COPY ${source}: outside the build context`);
  }
  const candidates = /[*?[]/.test(posix.basename(normalized))
    ? listDir(join(context, posix.dirname(normalized)))
        .filter((name) => globToRegExp(posix.basename(normalized)).test(name))
        .map((name) => posix.join(posix.dirname(normalized), name))
    : [normalized === '' ? '.' : normalized];
  return candidates.filter(
    (path) => path === '.' || (existsSync(join(context, path)) && !ignored(path)),
  );
}

function listDir(path) {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** Copies a file, or a directory's contents, skipping what .dockerignore excludes. */
function copyInto(sourceAbs, target, filter) {
  const stat = lstatSync(sourceAbs);
  if (!stat.isDirectory()) {
    mkdirSync(dirname(target), { recursive: true });
    cpSync(sourceAbs, target, { verbatimSymlinks: true });
    return;
  }
  mkdirSync(target, { recursive: true });
  cpSync(sourceAbs, target, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (path) => filter(path),
  });
}

function performCopy(step, roots, stageRoot, context, ignored, log) {
  const sources = [];
  if (step.from === undefined) {
    for (const source of step.sources) {
      const matches = contextMatches(context, source, ignored);
      if (matches.length === 0) {
        throw new RecipeError(
          `line ${step.line}: COPY source "${source}" is not in the build context (missing, or excluded by .dockerignore)`,
        );
      }
      for (const match of matches) sources.push({ abs: resolve(context, match), label: match });
    }
  } else {
    const fromRoot = roots.get(step.from);
    if (fromRoot === undefined) {
      throw new RecipeError(`line ${step.line}: COPY --from=${step.from}: no such earlier stage`);
    }
    for (const source of step.sources) {
      const abs = inRoot(fromRoot, source);
      if (!existsSync(abs))
        throw new RecipeError(
          `line ${step.line}: COPY --from=${step.from} ${source}: not produced by that stage`,
        );
      sources.push({ abs, label: `${step.from}:${source}` });
    }
  }
  const destination = inRoot(stageRoot, step.destination);
  for (const source of sources) {
    const isDir = lstatSync(source.abs).isDirectory();
    const target = isDir || !step.destIsDir ? destination : join(destination, basename(source.abs));
    const filter =
      step.from === undefined
        ? (path) => path === source.abs || !ignored(relative(context, path))
        : () => true;
    copyInto(source.abs, target, filter);
    log(
      `  COPY ${source.label} -> ${step.destination}${isDir || !step.destIsDir ? '' : `/${basename(source.abs)}`}`,
    );
  }
}

/** The environment a RUN step or the entrypoint sees: ours (PATH, HOME, proxies) minus npm's own. */
function childEnv(stageEnv) {
  const keep = new Set([
    'npm_config_registry',
    'npm_config_cache',
    'npm_config_userconfig',
    'npm_config_cafile',
    'npm_config_strict_ssl',
  ]);
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    const lower = name.toLowerCase();
    // `npm run image:check` exports its own npm_* settings (omit, prefix, lifecycle): they must
    // not leak into the npm commands of the recipe, which Docker runs in a clean environment.
    if (
      (lower.startsWith('npm_') && !keep.has(lower)) ||
      name === 'INIT_CWD' ||
      name === 'NODE_ENV'
    )
      continue;
    env[name] = value;
  }
  return { ...env, ...stageEnv };
}

function runProcess(argv, options) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk) => {
      output += chunk.toString();
      if (options.echo) process.stdout.write(chunk.toString().replace(/^(?=.)/gm, '    | '));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, output });
    });
  });
}

async function performStage(stage, ctx) {
  const label = stage.name ?? `#${stage.index}`;
  const stageRoot = join(
    ctx.tmp,
    `stage-${stage.index}${stage.name === undefined ? '' : `-${stage.name}`}`,
  );
  const parent = stage.base.toLowerCase();
  if (ctx.roots.has(parent))
    cpSync(ctx.roots.get(parent), stageRoot, { recursive: true, verbatimSymlinks: true });
  else mkdirSync(stageRoot, { recursive: true });
  ctx.log(`stage ${label} (FROM ${stage.base}) -> ${stageRoot}`);
  let workdir = '/';
  const env = {};
  for (const step of stage.steps) {
    if (step.kind === 'workdir') {
      workdir = step.path;
      mkdirSync(inRoot(stageRoot, workdir), { recursive: true });
    } else if (step.kind === 'env') {
      Object.assign(env, step.env);
    } else if (step.kind === 'copy') {
      if (step.add === true) {
        throw new RecipeError(`line ${step.line}: ADD is not reproduced; use COPY`);
      }
      performCopy(step, ctx.roots, stageRoot, ctx.context, ctx.ignored, ctx.log);
    } else if (step.action === 'skip') {
      ctx.skipped.push({ stage: label, line: step.line, command: step.command, why: step.why });
      ctx.log(`  SKIP ${step.command}   (${step.why})`);
    } else if (step.action === 'chown') {
      for (const path of step.paths)
        ctx.owners.set(`${stageRoot}:${posix.resolve(workdir, path)}`, step.owner);
      ctx.log(`  CHOWN ${step.owner} ${step.paths.join(' ')}   (performed on the VOLUMEs only)`);
    } else if (step.action === 'mkdir') {
      for (const path of step.paths)
        mkdirSync(inRoot(stageRoot, posix.resolve(workdir, path)), { recursive: true });
      ctx.log(`  MKDIR ${step.paths.join(' ')}`);
    } else if (step.action === 'run') {
      const started = Date.now();
      ctx.log(`  RUN ${step.command}   (in ${workdir})`);
      const argv = step.argv[0] === 'node' ? [process.execPath, ...step.argv.slice(1)] : step.argv;
      const result = await runProcess(argv, {
        cwd: inRoot(stageRoot, workdir),
        env: childEnv(env),
        echo: ctx.verbose,
      });
      if (result.code !== 0) {
        throw new RecipeError(
          `line ${step.line}: "${step.command}" failed (exit ${String(result.code ?? result.signal)}):\n${result.output}`,
        );
      }
      ctx.log(`    done in ${seconds(started)}`);
    } else {
      throw new RecipeError(
        `line ${step.line}: ${step.why}: "${step.command}". Teach scripts/image-recipe.mjs, or keep the Dockerfile to npm commands.`,
      );
    }
  }
  if (stage.name !== undefined) ctx.roots.set(stage.name, stageRoot);
  ctx.roots.set(String(stage.index), stageRoot);
  return stageRoot;
}

function checkNoDevDependencies(imageDir) {
  const manifestPath = join(imageDir, 'package.json');
  if (!existsSync(manifestPath)) {
    throw new RecipeError('the image has no package.json in its WORKDIR');
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const production = new Set(Object.keys(manifest.dependencies ?? {}));
  const present = Object.keys(manifest.devDependencies ?? {}).filter(
    (name) => !production.has(name) && existsSync(join(imageDir, 'node_modules', name)),
  );
  const hidden = join(imageDir, 'node_modules', '.package-lock.json');
  if (existsSync(hidden)) {
    const lock = JSON.parse(readFileSync(hidden, 'utf8'));
    for (const [path, entry] of Object.entries(lock.packages ?? {})) {
      if (entry.dev === true && existsSync(join(imageDir, path))) present.push(path);
    }
  }
  if (present.length > 0) {
    throw new RecipeError(
      `the image ships dev dependencies: ${[...new Set(present)].slice(0, 10).join(', ')}`,
    );
  }
}

/** The HEALTHCHECK command as a shell line, with the image's WORKDIR mapped to the temp image. */
function healthCommand(final, imageDir) {
  const check = final.healthcheck;
  if (check === undefined || check.none) return undefined;
  const line = check.shell ?? (check.exec?.[0] === 'CMD-SHELL' ? check.exec[1] : undefined);
  if (line === undefined) return undefined;
  return line.split(`${final.workdir}/`).join(`${imageDir}/`);
}

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** `--metrics-listen 0.0.0.0:P` -> `127.0.0.1:port`, and the health probe's `127.0.0.1:P` too. */
export function onLoopback(args, health, port) {
  const moved = new Map();
  const local = args.map((arg) => {
    const match = /^0\.0\.0\.0:(\d+)$/.exec(arg);
    if (match === null) return arg;
    moved.set(match[1], String(port));
    return `127.0.0.1:${port}`;
  });
  let probe = health;
  for (const [from, to] of moved)
    probe = probe?.split(`127.0.0.1:${from}/`).join(`127.0.0.1:${to}/`);
  return { args: local, health: probe };
}

function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

/** Resolves after `ms`; unref'd so that a pending sleep never holds the process open. */
function sleep(ms) {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms).unref());
}

async function shellStatus(line, cwd, env) {
  const result = await runProcess(['/bin/sh', '-c', line], { cwd, env, timeoutMs: 10_000 });
  return result.code;
}

// ---------------------------------------------------------------------------------------------
// Running the image as its user, with only the VOLUMEs writable
// ---------------------------------------------------------------------------------------------

/** Users of the official node images; other names would need the image's /etc/passwd. */
const NODE_IMAGE_USERS = new Map([
  ['root', 0],
  ['node', 1000],
]);

/** `USER node` / `USER 1000:1000` -> numeric ids; the recipe drops to them with setpriv. */
export function imageUserIds(final) {
  const [user = 'root', group] = (final.user ?? 'root').split(':');
  const idOf = (name) => {
    if (/^\d+$/.test(name)) return Number(name);
    const known = imageNodeMajor(final.base) === undefined ? undefined : NODE_IMAGE_USERS.get(name);
    if (known === undefined) throw new RecipeError(`USER ${name}: unknown uid in ${final.base}`);
    return known;
  };
  const uid = idOf(user);
  return { uid, gid: group === undefined ? uid : idOf(group) };
}

/**
 * Makes the laid-out image what a container of it gets under `readOnlyRootFilesystem` with its
 * volumes mounted: everything root-owned and read-only for the user, except each VOLUME the
 * Dockerfile hands to the USER with chown. A folder chowned but not declared a VOLUME stays
 * read-only here, as it would in Kubernetes; a VOLUME not chowned stays root's, as it would be
 * in Docker. Returns the folders the user may write.
 */
function lockDown(tmp, finalRoot, final, owners, log) {
  const { uid } = imageUserIds(final);
  if (uid === 0) throw new RecipeError('the image runs as root; set a USER');
  // mkdtemp makes 0700 folders: the user must reach the image to run it.
  for (let dir = finalRoot; dir.startsWith(tmp); dir = dirname(dir)) chmodSync(dir, 0o755);
  const writable = [];
  for (const [key, owner] of owners) {
    const [root, path] = [key.slice(0, key.lastIndexOf(':')), key.slice(key.lastIndexOf(':') + 1)];
    if (root !== finalRoot) continue;
    const ids = imageUserIds({ ...final, user: owner });
    if (!final.volumes.includes(path)) {
      log(`  ${path}: chown ${owner} but not a VOLUME: stays read-only (readOnlyRootFilesystem)`);
    } else if (ids.uid !== uid) {
      log(`  ${path}: chown ${owner}, not the USER ${final.user ?? ''}: stays read-only`);
    } else {
      chownSync(inRoot(finalRoot, path), ids.uid, ids.gid);
      writable.push(path);
    }
  }
  for (const volume of final.volumes) {
    if (!existsSync(inRoot(finalRoot, volume)))
      throw new RecipeError(`VOLUME ${volume} is not created by the image`);
    if (!writable.includes(volume))
      log(`  VOLUME ${volume} is not handed to ${final.user ?? 'root'}: it stays read-only`);
  }
  log(`as uid ${uid}: writable ${writable.join(' ') || 'nothing'}; everything else read-only`);
  return writable;
}

/** The image's node: a copy of ours in /usr/local/bin (ours may sit under root's 0700 home). */
function installNode(finalRoot) {
  const target = inRoot(finalRoot, '/usr/local/bin/node');
  mkdirSync(dirname(target), { recursive: true });
  cpSync(process.execPath, target);
  chmodSync(target, 0o755);
  return target;
}

/** How the image's command is run: as the image's user, tied to us (pdeathsig). */
function asImageUser(final, argv) {
  if (process.getuid?.() !== 0) {
    throw new RecipeError(
      `the check runs the image as uid ${imageUserIds(final).uid} and must start as root to drop to it (CI runs as root)`,
    );
  }
  const { uid, gid } = imageUserIds(final);
  return [
    'setpriv',
    `--reuid=${uid}`,
    `--regid=${gid}`,
    '--clear-groups',
    '--pdeathsig=SIGKILL',
    '--',
    ...argv,
  ];
}

// ---------------------------------------------------------------------------------------------
// A real registry on the loopback, with a few synthetic images
// ---------------------------------------------------------------------------------------------

const CHECK_REPOSITORY = 'image-check/app';
/** Pushed with their images' ages in days; the check's job keeps 1 and deletes > 30 days. */
const CHECK_TAGS = [
  ['v1', 300],
  ['v2', 200],
  ['v3', 100],
];
const CHECK_PLANNED = ['v1', 'v2'];

/** `docker-registry serve` (CNCF distribution) on 127.0.0.1, storage under `dir`. */
async function startRegistry(dir) {
  const port = await freePort();
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const configFile = join(dir, 'registry.yml');
  // JSON is YAML; version must be the string "0.1".
  writeFileSync(
    configFile,
    JSON.stringify({
      version: '0.1',
      log: { level: 'error', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: join(dir, 'storage') }, delete: { enabled: true } },
      http: { addr: `127.0.0.1:${port}`, secret: 'image-check' },
    }),
  );
  const child = spawn('setpriv', ['--pdeathsig=SIGKILL', 'docker-registry', 'serve', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise((resolvePromise) => child.on('close', resolvePromise));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new RecipeError(`docker-registry exited:\n${stderr}`);
    try {
      if ((await fetch(`${url}/v2/`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new RecipeError(`docker-registry did not answer within 15 s:\n${stderr}`);
    }
    await sleep(50);
  }
}

async function expectStatus(response, status, what) {
  if (response.status !== status)
    throw new RecipeError(`${what}: HTTP ${response.status} ${await response.text()}`);
  return response;
}

async function pushBlob(url, repository, bytes) {
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const start = await expectStatus(
    await fetch(`${url}/v2/${repository}/blobs/uploads/`, { method: 'POST' }),
    202,
    'start upload',
  );
  const location = new URL(start.headers.get('location') ?? '', url);
  location.searchParams.set('digest', digest);
  await expectStatus(
    await fetch(location, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    }),
    201,
    `upload ${digest}`,
  );
  return { digest, size: bytes.length };
}

/** One single-layer image per tag, each `created` the given number of days ago. */
async function pushCheckImages(url) {
  for (const [tag, days] of CHECK_TAGS) {
    const created = new Date(Date.now() - days * 86_400_000).toISOString();
    const layer = await pushBlob(url, CHECK_REPOSITORY, Buffer.from(`image-check layer ${tag}\n`));
    const config = await pushBlob(
      url,
      CHECK_REPOSITORY,
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          created,
          rootfs: { type: 'layers', diff_ids: [layer.digest] },
          history: [{ created }],
        }),
      ),
    );
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...layer }],
    };
    await expectStatus(
      await fetch(`${url}/v2/${CHECK_REPOSITORY}/manifests/${tag}`, {
        method: 'PUT',
        headers: { 'content-type': manifest.mediaType },
        body: JSON.stringify(manifest),
      }),
      201,
      `push ${CHECK_REPOSITORY}:${tag}`,
    );
  }
}

async function registryTags(url) {
  const response = await expectStatus(
    await fetch(`${url}/v2/${CHECK_REPOSITORY}/tags/list`),
    200,
    'list tags',
  );
  return ((await response.json()).tags ?? []).sort();
}

/**
 * The operator's config, written as root (it is mounted read-only): the check's registry, and
 * the same job in manual.yaml (one-shot) and jobs.yaml (watch).
 */
function writeCheckConfig(imageDir, url) {
  const configDir = join(imageDir, 'config');
  rmSync(configDir, { recursive: true, force: true });
  mkdirSync(configDir, { recursive: true });
  writeFileSync(
    join(configDir, 'config.yaml'),
    `registry_url: ${JSON.stringify(url)}\ntimeout: 20\n`,
  );
  const job = (name, extra) =>
    [
      `- name: ${name}`,
      '  description: written by scripts/image-recipe.mjs',
      '  repositories:',
      `    - ${CHECK_REPOSITORY}`,
      '  tag_regexps:',
      "    - '^v\\d+$'",
      '  save_last: 1',
      '  older_than_days: 30',
      ...extra,
      '',
    ].join('\n');
  writeFileSync(join(configDir, 'manual.yaml'), job('image-check', []));
  writeFileSync(
    join(configDir, 'jobs.yaml'),
    job('image-check-watch', ['  clean_every_n_hours: 24']),
  );
}

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

/** `docker run IMAGE --dry-run`: exit 0, a report naming the planned tags, nothing deleted. */
async function dryRunCheck(image, url, log) {
  log(`RUN ${image.command.join(' ')} --dry-run   (as uid ${imageUserIds(image.final).uid})`);
  const started = Date.now();
  const run = await runProcess(image.argv(['--dry-run']), {
    cwd: image.dir,
    env: image.env,
    timeoutMs: 120_000,
    echo: image.verbose,
  });
  if (run.code !== 0)
    throw new RecipeError(`--dry-run exited ${String(run.code ?? run.signal)}:\n${run.output}`);
  const tags = await registryTags(url);
  if (tags.join(' ') !== CHECK_TAGS.map(([tag]) => tag).join(' '))
    throw new RecipeError(`the dry run changed the registry: tags now ${tags.join(' ')}`);
  const reports = filesUnder(join(image.dir, 'reports')).filter((file) => file.endsWith('.json'));
  const report = reports.map((file) => readFileSync(file, 'utf8')).join('\n');
  const missing = CHECK_PLANNED.filter((tag) => !report.includes(`"${tag}"`));
  if (reports.length === 0 || missing.length > 0)
    throw new RecipeError(
      `no JSON report under reports/ naming ${missing.join(', ') || CHECK_PLANNED.join(', ')}:\n${run.output}`,
    );
  log(
    `  ok: exit 0 in ${seconds(started)}, ${relative(image.dir, reports[0] ?? '')} plans ${CHECK_PLANNED.join(' ')}, registry untouched`,
  );
}

/**
 * `docker run IMAGE` (the default CMD, with --dry-run) then `docker stop`: the HEALTHCHECK must
 * pass (200 from /healthz), and SIGTERM (what tini forwards) must end it with the lock released.
 */
async function watchCheck(image, log) {
  // The image listens on every interface of its own network; here that would be the host's:
  // the endpoint and its probe move to 127.0.0.1 on a free port instead.
  const { args, health } = onLoopback(
    [...(image.final.cmd ?? []), '--dry-run'],
    healthCommand(image.final, image.dir),
    await freePort(),
  );
  if (health === undefined) throw new RecipeError('the image has no HEALTHCHECK to wait for');
  log(`RUN ${[...image.command, ...args].join(' ')}, then SIGTERM (docker stop)`);
  const child = spawn(image.argv(args)[0], image.argv(args).slice(1), {
    cwd: image.dir,
    env: image.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk) => {
    output += chunk.toString();
    if (image.verbose) process.stdout.write(chunk.toString().replace(/^(?=.)/gm, '    | '));
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolvePromise) =>
    child.on('close', (code, signal) => resolvePromise({ code, signal })),
  );
  let finished;
  void exited.then((result) => {
    finished = result;
  });
  const started = Date.now();
  try {
    const deadline = started + 30_000;
    let healthy = false;
    while (!healthy && finished === undefined && Date.now() < deadline) {
      await sleep(250);
      healthy = (await shellStatus(health, image.dir, image.env)) === 0;
    }
    if (finished !== undefined)
      throw new RecipeError(
        `the watch process exited early (${String(finished.code ?? finished.signal)}):\n${output}`,
      );
    if (!healthy)
      throw new RecipeError(`the HEALTHCHECK did not pass within 30 s: ${health}\n${output}`);
    log(`  ok: /healthz 200 after ${seconds(started)} (${health})`);
    const stopping = Date.now();
    child.kill('SIGTERM');
    const stopped = await Promise.race([exited, sleep(45_000).then(() => undefined)]);
    if (stopped === undefined)
      throw new RecipeError(`SIGTERM did not end the process within 45 s:\n${output}`);
    // 0 for a watch stopped while idle, 143 for one stopped during a run (README exit codes).
    if (stopped.code !== 0 && stopped.code !== 143)
      throw new RecipeError(
        `after SIGTERM the process exited ${String(stopped.code ?? stopped.signal)}:\n${output}`,
      );
    if ((await shellStatus(health, image.dir, image.env)) === 0)
      throw new RecipeError('the HEALTHCHECK still passes after the process stopped');
    if (existsSync(join(image.dir, 'cache', 'reg-cleaner.lock')))
      throw new RecipeError('the lock cache/reg-cleaner.lock is left after SIGTERM');
    log(`  ok: SIGTERM -> exit ${stopped.code} in ${seconds(stopping)}, lock released`);
  } finally {
    if (finished === undefined) child.kill('SIGKILL');
  }
}

export async function runRecipe(options) {
  const log = options.log ?? ((line) => console.log(line));
  const dockerfile = resolve(options.dockerfile);
  const context = resolve(options.context ?? dirname(dockerfile));
  const plan = readPlan(dockerfile);
  const ignoreFile = join(context, '.dockerignore');
  const ignored = existsSync(ignoreFile)
    ? parseDockerignore(readFileSync(ignoreFile, 'utf8'))
    : () => false;
  // Refuse up front what cannot be performed, rather than after minutes of npm ci.
  for (const stage of plan.stages) {
    for (const step of stage.steps) {
      if (step.kind === 'run' && step.action === 'unsupported') {
        throw new RecipeError(
          `line ${step.line}: ${step.why}: "${step.command}". Teach scripts/image-recipe.mjs, or keep the Dockerfile to npm commands.`,
        );
      }
      if (step.kind === 'copy' && step.add === true) {
        throw new RecipeError(`line ${step.line}: ADD is not reproduced; use COPY`);
      }
    }
  }
  const { final } = plan;
  // Before minutes of npm ci: the image's user must be known and reachable from here.
  asImageUser(final, []);
  const tmp = mkdtempSync(join(tmpdir(), 'reg-cleaner-image-'));
  const ctx = {
    tmp,
    context,
    ignored,
    log,
    roots: new Map(),
    owners: new Map(),
    skipped: [],
    verbose: options.verbose === true,
  };
  log(`image recipe of ${relative(process.cwd(), dockerfile) || dockerfile} (context ${context})`);
  let registry;
  try {
    let finalRoot = '';
    for (const stage of plan.stages) finalRoot = await performStage(stage, ctx);
    const imageDir = inRoot(finalRoot, final.workdir);
    log(`image ${imageDir}: ${readdirSync(imageDir).sort().join(' ')}`);
    checkNoDevDependencies(imageDir);
    if (final.command === undefined || final.command.length === 0) {
      throw new RecipeError('the final stage has no exec-form ENTRYPOINT');
    }
    if (final.command[0] !== 'node')
      throw new RecipeError(`ENTRYPOINT runs "${final.command[0]}", not node`);

    registry = await startRegistry(join(tmp, 'registry'));
    await pushCheckImages(registry.url);
    log(
      `registry ${registry.url}: ${CHECK_REPOSITORY} tags ${CHECK_TAGS.map(([t]) => t).join(' ')}`,
    );
    writeCheckConfig(imageDir, registry.url);

    const node = installNode(finalRoot);
    lockDown(tmp, finalRoot, final, ctx.owners, log);
    // No home and no temp folder to write to: under readOnlyRootFilesystem there are none.
    const nowhere = inRoot(finalRoot, '/nonexistent');
    const image = {
      final,
      dir: imageDir,
      command: final.command,
      env: { ...childEnv(final.env), HOME: nowhere, TMPDIR: nowhere },
      argv: (args) => asImageUser(final, [node, ...final.command.slice(1), ...args]),
      verbose: ctx.verbose,
    };

    log(`RUN ${final.command.join(' ')} --help   (in ${final.workdir})`);
    const help = await runProcess(image.argv(['--help']), {
      cwd: imageDir,
      env: image.env,
      timeoutMs: 60_000,
    });
    if (help.code !== 0) {
      throw new RecipeError(`--help exited ${String(help.code ?? help.signal)}:\n${help.output}`);
    }
    if (!help.output.includes('--watch'))
      throw new RecipeError(`--help does not mention --watch:\n${help.output}`);
    log('  ok: exit 0, the help mentions --watch');
    await dryRunCheck(image, registry.url, log);
    await watchCheck(image, log);

    if (ctx.skipped.length > 0) {
      log('skipped (not reproducible without Docker):');
      for (const skip of ctx.skipped)
        log(`  stage ${skip.stage}, line ${skip.line}: ${skip.command}   (${skip.why})`);
    }
    log(`PASS ${basename(dockerfile)}`);
    return { imageDir, skipped: ctx.skipped };
  } finally {
    await registry?.stop();
    if (options.keep === true) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

const USAGE = `usage: node scripts/image-recipe.mjs [DOCKERFILE] [options]

Performs a Dockerfile's build and run steps without Docker (default DOCKERFILE: Dockerfile),
then runs the image as its USER with only its VOLUMEs writable (start it as root): --help, a
--dry-run against a local docker-registry, and the default CMD up to a passing HEALTHCHECK and
a SIGTERM.

  --print-plan            print the parsed stages and steps as JSON, perform nothing
  --context DIR           build context (default: the Dockerfile's folder)
  --keep                  keep the temp directories
  --verbose               echo the output of every command
  -h, --help              this text`;

function parseCommandLine(argv) {
  const options = { dockerfile: 'Dockerfile' };
  const rest = [...argv];
  let positional = false;
  while (rest.length > 0) {
    const arg = rest.shift();
    const value = () => {
      const next = rest.shift();
      if (next === undefined) throw new RecipeError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--print-plan') options.printPlan = true;
    else if (arg === '--context') options.context = value();
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--verbose') options.verbose = true;
    else if (arg === '-h' || arg === '--help') options.help = true;
    else if (arg.startsWith('-') || positional)
      throw new RecipeError(`unexpected argument ${arg}\n${USAGE}`);
    else {
      options.dockerfile = arg;
      positional = true;
    }
  }
  return options;
}

/** `node:24-alpine`, `node:24.1-bookworm-slim@sha256:...` -> 24; undefined for other bases. */
export function imageNodeMajor(base) {
  const match = /^(?:docker\.io\/(?:library\/)?)?node:(\d+)(?:[.-]|$)/.exec(base);
  return match === null ? undefined : Number(match[1]);
}

/** Set in the environment of a re-run under another Node, so that it never re-runs again. */
const SAME_NODE_ENV = 'REG_CLEANER_RECIPE_SAME_NODE';

/**
 * The recipe proves the image's steps on the Node the image ships: run on another major (the
 * machines have Node 20, the images Node 24), it runs itself again under that major, taken from
 * the npm registry (`npx -p node@24`, whose `node` also runs the recipe's npm commands).
 * Returns the exit code of that run, or undefined when this process is already the right one.
 */
async function rerunOnImageNode(options, argv) {
  const wanted = imageNodeMajor(readPlan(options.dockerfile).final.base);
  const running = Number(process.versions.node.split('.')[0]);
  if (wanted === undefined || wanted === running || process.env[SAME_NODE_ENV] !== undefined) {
    return undefined;
  }
  console.log(
    `the image runs Node ${wanted}, this is Node ${running}: performing the recipe with node@${wanted} from the npm registry (${SAME_NODE_ENV}=1 skips this)`,
  );
  const script = fileURLToPath(import.meta.url);
  const child = spawn('npx', ['-y', '-p', `node@${wanted}`, 'node', script, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, [SAME_NODE_ENV]: '1' },
  });
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise(code ?? (signal === null ? 1 : 128)));
  });
}

async function main() {
  const argv = process.argv.slice(2);
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
  await runRecipe(options);
  return 0;
}

const invokedDirectly =
  process.argv[1] !== undefined && pathToFileURL(resolve(process.argv[1])).href === import.meta.url;
if (invokedDirectly) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      const known = error instanceof RecipeError || error instanceof DockerfileError;
      console.error(
        `image recipe FAILED: ${known ? error.message : String(error?.stack ?? error)}`,
      );
      process.exitCode = 1;
    },
  );
}

export const scriptPath = fileURLToPath(import.meta.url);
