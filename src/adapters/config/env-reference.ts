/** `"__ENV: NAME"` or `"__ENV:NAME"`: take the value from the environment variable NAME. */
const ENV_REFERENCE = /^\s*__ENV:\s*(.*?)\s*$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The config.yaml keys whose value may be an `__ENV` reference (behaviour.md section 1). */
export const ENV_FIELDS = ['registry_url', 'username', 'password', 'proxy'] as const;
export type EnvField = (typeof ENV_FIELDS)[number];

export type EnvResolution =
  /** Not a reference: the value as written. */
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'resolved'; readonly variable: string; readonly value: string }
  /** The message names the variable, never a value; `unset` names a variable that is not set. */
  | { readonly kind: 'error'; readonly message: string; readonly unset?: string };

export function isEnvReference(value: unknown): value is string {
  return typeof value === 'string' && ENV_REFERENCE.test(value);
}

export function resolveEnvReference(value: unknown, env: NodeJS.ProcessEnv): EnvResolution {
  if (typeof value !== 'string') return { kind: 'literal', value };
  const match = ENV_REFERENCE.exec(value);
  if (match === null) return { kind: 'literal', value };
  const variable = match[1] ?? '';
  if (variable === '') {
    return {
      kind: 'error',
      message: '"__ENV:" names no environment variable (write "__ENV: NAME")',
    };
  }
  if (!VARIABLE_NAME.test(variable)) {
    return {
      kind: 'error',
      message: `"__ENV: ${variable}" is not a valid environment variable name`,
    };
  }
  const resolved = env[variable];
  if (resolved === undefined) {
    return {
      kind: 'error',
      message: `environment variable ${variable} is not set (referenced as "__ENV: ${variable}")`,
      unset: variable,
    };
  }
  return { kind: 'resolved', variable, value: resolved };
}
