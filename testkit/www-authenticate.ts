export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses one challenge such as `Bearer realm="http://h/token",service="s",scope="repository:a:pull"`.
 * Enough for distribution's headers; quoted values may contain commas, and escapes are honoured.
 */
export function parseChallenge(header: string): AuthChallenge | undefined {
  const match = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (match === null) return undefined;
  const [, scheme = '', rest = ''] = match;
  const params: Record<string, string> = {};
  const param = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy;
  for (let found = param.exec(rest); found !== null; found = param.exec(rest)) {
    const [, key = '', quoted, token] = found;
    params[key.toLowerCase()] =
      quoted === undefined ? (token ?? '') : quoted.replace(/\\(.)/g, '$1');
  }
  return { scheme: scheme.toLowerCase(), params };
}
