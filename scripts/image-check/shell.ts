// The little shell the check needs: RUN lines split into commands, and the Dockerfile's
// variable forms. Only what our Dockerfiles use; anything else is refused rather than guessed,
// so that the check never performs something other than what Docker would.
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
