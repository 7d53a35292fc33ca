import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { ConfigProblem } from './config-error.js';
import { describeFsError } from '../shared/files/fs-error.js';

export type LocatedFile =
  | { readonly status: 'found'; readonly path: string }
  | { readonly status: 'absent'; readonly expected: string }
  /** Something is there but unusable; the problem is already recorded. */
  | { readonly status: 'invalid' };

const EXTENSIONS = ['yaml', 'yml'] as const;

/**
 * Finds `<base>.yaml` or `<base>.yml` in the config folder. Both present is an error rather
 * than a silent preference, because the operator would edit one and we would read the other.
 */
export function locateYamlFile(
  configDir: string,
  base: string,
  problems: ConfigProblem[],
): LocatedFile {
  const candidates = EXTENSIONS.map((extension) => join(configDir, `${base}.${extension}`));
  const present = candidates.filter((candidate) => statOrUndefined(candidate) !== undefined);
  const [first, second] = present;
  if (first === undefined) return { status: 'absent', expected: candidates[0] ?? base };
  if (second !== undefined) {
    problems.push({
      file: first,
      message: `both ${first} and ${second} exist; keep only one of them`,
    });
    return { status: 'invalid' };
  }
  if (statOrUndefined(first)?.isDirectory() === true) {
    problems.push({
      file: first,
      message:
        'is a directory, expected a YAML file (a Docker bind mount of a file that does not exist on the host creates a directory)',
    });
    return { status: 'invalid' };
  }
  if (statOrUndefined(first)?.isFile() !== true) {
    // Reading a FIFO (or a device) would block the run forever, before any message.
    problems.push({
      file: first,
      message: 'is not a regular file (a FIFO, socket or device); expected a YAML file',
    });
    return { status: 'invalid' };
  }
  return { status: 'found', path: first };
}

/**
 * Reads and parses one YAML file. Returns undefined when a problem was recorded.
 * Parse errors are reported with line and column only: the yaml package's "pretty" errors
 * quote the offending source line, which may hold a password.
 */
export function readYamlFile(path: string, problems: ConfigProblem[]): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push({ file: path, message: `cannot be read: ${describeFsError(error)}` });
    return undefined;
  }
  const lineCounter = new LineCounter();
  // merge: PyYAML, which the original tool used, honours `<<: *anchor` merge keys.
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    merge: true,
    uniqueKeys: true,
  });
  if (document.errors.length > 0) {
    // A tab in the indentation makes the parser report several errors that never say "tab":
    // one error that names it says what to fix.
    const tab = tabInIndentation(text);
    if (tab !== undefined) {
      problems.push({
        file: path,
        message: `invalid YAML at line ${tab.line}, column ${tab.col}: a tab in the indentation (YAML indents with spaces only)`,
      });
      return undefined;
    }
    for (const error of document.errors) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      problems.push({
        file: path,
        message: `invalid YAML at line ${line}, column ${col}: ${firstLine(error.message)}`,
      });
    }
    return undefined;
  }
  if (document.contents === null) {
    problems.push({ file: path, message: 'is empty' });
    return undefined;
  }
  try {
    return document.toJS({ maxAliasCount: 1000 }) as unknown;
  } catch (error) {
    problems.push({
      file: path,
      message: `invalid YAML: ${error instanceof Error ? firstLine(error.message) : 'cannot be converted'}`,
    });
    return undefined;
  }
}

export function isReadableFile(
  path: string,
): { readonly ok: true } | { readonly ok: false; readonly why: string } {
  const stats = statOrUndefined(path);
  if (stats === undefined) return { ok: false, why: 'does not exist' };
  if (!stats.isFile()) return { ok: false, why: 'is not a regular file' };
  try {
    readFileSync(path);
    return { ok: true };
  } catch (error) {
    return { ok: false, why: `cannot be read: ${describeFsError(error)}` };
  }
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The first tab among a line's leading whitespace, 1-based, if any line has one. */
function tabInIndentation(text: string): { line: number; col: number } | undefined {
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    const indentation = /^[ \t]*/.exec(line)?.[0] ?? '';
    const col = indentation.indexOf('\t');
    const content = line.slice(indentation.length);
    if (col >= 0 && content !== '' && !content.startsWith('#'))
      return { line: index + 1, col: col + 1 };
  }
  return undefined;
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? text).trim();
}
