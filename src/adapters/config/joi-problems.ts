import type Joi from 'joi';

/** What a joi failure becomes before it is located in a file. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export const VALIDATION_OPTIONS: Joi.ValidationOptions = {
  abortEarly: false,
  // YAML already gives numbers and booleans their types; a quoted "20" is a mistake to report.
  convert: false,
  allowUnknown: false,
  errors: { label: false },
};

/** `['tag_regexps', 1]` -> `tag_regexps[1]`. */
export function fieldPath(path: readonly (string | number)[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? part : `.${part}`;
  }
  return text;
}

/** Turns joi's details into field problems; joi's own messages are used without values. */
export function joiProblems(
  error: Joi.ValidationError | undefined,
  allowedKeys: readonly string[],
): FieldProblem[] {
  if (error === undefined) return [];
  return error.details.map((detail) => {
    const field = fieldPath(detail.path);
    if (detail.type === 'object.unknown') {
      const key = String(detail.path[detail.path.length - 1] ?? '');
      const suggestion = closest(key, allowedKeys);
      const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
      return { field, message: `unknown key${hint}; allowed keys: ${allowedKeys.join(', ')}` };
    }
    if (detail.type === 'any.required') return { field, message: 'is required' };
    if (detail.type === 'array.min') return { field, message: 'must list at least one entry' };
    if (detail.type === 'array.base') return { field, message: 'must be a list' };
    if (
      detail.type === 'string.base' &&
      ['number', 'boolean'].includes(typeof detail.context?.value)
    ) {
      // No value in the message: the field may be a password.
      return {
        field,
        message: `must be a string (put it in quotes: YAML reads it as a ${typeof detail.context?.value})`,
      };
    }
    return { field, message: detail.message };
  });
}

/** The allowed key a typo most likely meant, if any is close enough. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of allowed) {
    const distance = editDistance(key.toLowerCase(), candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Validates with our options; joi's typings hand back `any`, which lint (rightly) refuses. */
export function validateWith(
  schema: Joi.Schema,
  input: unknown,
): { readonly value: unknown; readonly error: Joi.ValidationError | undefined } {
  const result = schema.validate(input, VALIDATION_OPTIONS) as {
    value: unknown;
    error?: Joi.ValidationError;
  };
  return { value: result.value, error: result.error };
}
