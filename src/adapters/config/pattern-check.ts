import { compilePattern, type Pattern } from '../../domain/job.js';

export type PatternCheck =
  | { readonly ok: true; readonly pattern: Pattern }
  | { readonly ok: false; readonly message: string };

/**
 * Compiles a user regexp and, when it fails, explains the Python-only syntax that the
 * original tool accepted (its configs were written for Python's `re`).
 */
export function checkPattern(source: string): PatternCheck {
  const silent = silentPythonConstructs(source);
  let pattern: Pattern;
  try {
    pattern = compilePattern(source);
  } catch (error) {
    const reason = error instanceof Error ? stripPrefix(error.message) : 'invalid';
    const hints = pythonHints(source);
    const hintText = hints.length > 0 ? `; ${hints.join('; ')}` : '';
    return { ok: false, message: `invalid regular expression "${source}": ${reason}${hintText}` };
  }
  if (silent.length > 0) {
    // \A and \Z compile in JavaScript but mean the letters A and Z: refuse rather than
    // silently select different tags than the Python tool did.
    return {
      ok: false,
      message: `regular expression "${source}" uses Python-only syntax: ${silent.join('; ')}`,
    };
  }
  return { ok: true, pattern };
}

interface Construct {
  readonly index: number;
  readonly text: string;
}

function pythonHints(source: string): string[] {
  const hints = new Set<string>();
  for (const { text } of scan(source)) {
    if (text.startsWith('(?P<'))
      hints.add('Python named group (?P<name>...): write (?<name>...) in JavaScript');
    else if (text.startsWith('(?P='))
      hints.add('Python backreference (?P=name): write \\k<name> in JavaScript');
    else if (text.startsWith('(?#')) hints.add('Python comment (?#...): remove it');
    else if (text.startsWith('(?>'))
      hints.add('atomic group (?>...) is not supported in JavaScript: use a plain group (...)');
    else if (/^\(\?[aiLmsux-]+[):]/.test(text)) {
      hints.add(
        `Python inline flags ${text}: JavaScript has no inline flags; remove them and spell out the alternatives (e.g. [Dd]ev instead of (?i)dev, [\\s\\S] instead of . with (?s))`,
      );
    } else if (/^[*+?}]\+$/.test(text)) {
      hints.add(
        `possessive quantifier ${text} is not supported in JavaScript: drop the trailing +`,
      );
    }
  }
  return [...hints];
}

function silentPythonConstructs(source: string): string[] {
  const found = new Set<string>();
  for (const { text } of scan(source)) {
    if (text === '\\A') found.add('\\A (start of string): write ^');
    if (text === '\\Z' || text === '\\z') found.add(`${text} (end of string): write $`);
  }
  return [...found];
}

/** Finds group openings, escapes and quantifier pairs outside character classes. */
function* scan(source: string): Generator<Construct> {
  let inClass = false;
  for (let index = 0; index < source.length; index += 1) {
    const char = source[index];
    if (char === '\\') {
      if (!inClass) yield { index, text: source.slice(index, index + 2) };
      index += 1;
    } else if (inClass) {
      if (char === ']') inClass = false;
    } else if (char === '[') {
      inClass = true;
    } else if (char === '(' && source[index + 1] === '?') {
      const end = source.slice(index).search(/[>:)=]|$/);
      yield { index, text: source.slice(index, index + Math.max(end, 3) + 1) };
    } else if (
      (char === '*' || char === '+' || char === '?' || char === '}') &&
      source[index + 1] === '+'
    ) {
      yield { index, text: `${char}+` };
      index += 1;
    }
  }
}

function stripPrefix(message: string): string {
  return message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
}
