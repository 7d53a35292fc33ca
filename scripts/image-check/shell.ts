// The little shell the check needs: RUN lines split into commands, commands into words, and
// the Dockerfile's variable forms. Only what our Dockerfiles use; anything else is refused
// rather than guessed, so that the check never performs something other than Docker would.
import { RecipeError } from './errors.js';

export type Variables = Readonly<Record<string, string | undefined>>;

/** `$X`, `${X}`, `${X:-default}`, `${X:+alternative}`; `\$` stays a literal dollar. */
export function expand(text: string, vars: Variables): string {
  const pattern =
    /\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
  return text.replace(pattern, (...match: (string | undefined)[]) => {
    const [whole, braced, op, word = '', bare = ''] = match;
    if (whole === '\\$') return '$';
    const value = vars[braced ?? bare];
    const set = value !== undefined && value !== '';
    if (op === '-') return set ? value : word;
    if (op === '+') return set ? word : '';
    return value ?? '';
  });
}

/** Splits on unquoted whitespace, removes quotes, expands variables (not inside '...'). */
export function shellWords(text: string, vars: Variables): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const reference = (from: number): string | undefined =>
    /^\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(from))?.[0];
  const take = (char: string): void => {
    const ref = char === '$' ? reference(i) : undefined;
    word += ref === undefined ? char : expand(ref, vars);
    i += ref === undefined ? 1 : ref.length;
  };
  while (i < text.length) {
    const char = text.charAt(i);
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
      if (end === -1) throw new RecipeError(`unterminated ' in: ${text}`);
      word += text.slice(i + 1, end);
      i = end + 1;
    } else if (char === '"') {
      i += 1;
      while (i < text.length && text[i] !== '"') {
        const next = text.charAt(i + 1);
        if (text[i] === '\\' && next !== '' && '"\\$`'.includes(next)) {
          word += next;
          i += 2;
        } else take(text.charAt(i));
      }
      if (i >= text.length) throw new RecipeError(`unterminated " in: ${text}`);
      i += 1;
    } else if (char === '\\' && i + 1 < text.length) {
      word += text.charAt(i + 1);
      i += 2;
    } else take(char);
  }
  if (inWord) words.push(word);
  return words;
}

/** `a && b; c` -> ['a', 'b', 'c']; refuses `||`, pipes into a branch, and heredocs. */
export function splitCommands(command: string): string[] {
  const commands: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const char = command.charAt(i);
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      current += char;
    } else if (command.startsWith('&&', i) || char === ';') {
      commands.push(current.trim());
      current = '';
      if (char === '&') i += 1;
    } else if (command.startsWith('||', i) || command.startsWith('<<', i)) {
      throw new RecipeError(
        `the recipe cannot reproduce "${command}" (|| or heredoc); keep RUN to commands joined by &&`,
      );
    } else current += char;
  }
  commands.push(current.trim());
  return commands.filter((part) => part !== '');
}
