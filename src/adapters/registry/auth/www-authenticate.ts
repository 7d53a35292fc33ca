/** One challenge of a `WWW-Authenticate` header (RFC 9110 section 11.6.1). */
export interface Challenge {
  /** Lower-case: `basic`, `bearer`, ... */
  readonly scheme: string;
  /** Lower-case parameter names; values unquoted and unescaped. */
  readonly params: ReadonlyMap<string, string>;
}

const TOKEN_STOP = new Set([' ', '\t', ',', '=', '"']);

/**
 * Parses every challenge of a header such as
 * `Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull,delete"`.
 * Quoted values may contain commas and escaped quotes; several challenges may share one header
 * (`Basic realm="x", Bearer realm="y"`). Parameters are told apart from a new scheme by the `=`
 * that follows them. Never throws: garbage yields fewer challenges.
 */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const challenges: { scheme: string; params: Map<string, string> }[] = [];
  let pos = 0;

  const skip = (chars: string): void => {
    while (pos < header.length && chars.includes(header.charAt(pos))) {
      pos += 1;
    }
  };
  const readToken = (): string => {
    const start = pos;
    while (pos < header.length && !TOKEN_STOP.has(header.charAt(pos))) {
      pos += 1;
    }
    return header.slice(start, pos);
  };
  const readQuoted = (): string => {
    pos += 1; // opening quote
    let value = '';
    while (pos < header.length) {
      const char = header.charAt(pos);
      if (char === '\\' && pos + 1 < header.length) {
        value += header.charAt(pos + 1);
        pos += 2;
      } else if (char === '"') {
        pos += 1;
        break;
      } else {
        value += char;
        pos += 1;
      }
    }
    return value;
  };

  while (pos < header.length) {
    skip(' \t,');
    if (pos >= header.length) {
      break;
    }
    const token = readToken();
    if (token === '') {
      pos += 1; // a stray `=` or `"`: step over it rather than loop forever
      continue;
    }
    skip(' \t');
    if (header.charAt(pos) === '=') {
      pos += 1;
      skip(' \t');
      const value = header.charAt(pos) === '"' ? readQuoted() : readToken();
      challenges.at(-1)?.params.set(token.toLowerCase(), value);
    } else {
      challenges.push({ scheme: token.toLowerCase(), params: new Map() });
    }
  }
  return challenges;
}

/** The first challenge of the given scheme (lower-case), if any. */
export function findChallenge(
  challenges: readonly Challenge[],
  scheme: string,
): Challenge | undefined {
  return challenges.find((challenge) => challenge.scheme === scheme);
}
