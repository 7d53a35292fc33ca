/**
 * A syntax check of 5- or 6-field cron expressions (the node-schedule dialect: optional
 * seconds first). It catches typos at load time; the scheduler adapter computes the times.
 * Returns undefined when the expression is acceptable, otherwise why it is not.
 */
export function checkCron(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return `must have 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), found ${fields.length}`;
  }
  const specs = fields.length === 6 ? SPECS : SPECS.slice(1);
  for (const [index, field] of fields.entries()) {
    const spec = specs[index];
    if (spec === undefined) continue;
    const problem = checkField(field, spec);
    if (problem !== undefined) return `${spec.label} field "${field}": ${problem}`;
  }
  return undefined;
}

interface FieldSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Day fields accept `L` (last) and `?` (no specific value). */
  readonly day?: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const SPECS: readonly FieldSpec[] = [
  { label: 'second', min: 0, max: 59 },
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day-of-month', min: 1, max: 31, day: true },
  { label: 'month', min: 1, max: 12, names: MONTHS },
  { label: 'day-of-week', min: 0, max: 7, names: WEEKDAYS, day: true },
];

function checkField(field: string, spec: FieldSpec): string | undefined {
  for (const part of field.split(',')) {
    const [range = '', step, ...rest] = part.split('/');
    if (rest.length > 0) return 'more than one /';
    if (step !== undefined && !/^[1-9]\d*$/.test(step))
      return `step "${step}" must be a positive integer`;
    if (range === '*' || (spec.day === true && (range === '?' || range === 'L'))) continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `"${range}" is not a value or a range`;
    const values = bounds.map((bound) => valueOf(bound, spec));
    if (values.some((value) => value === undefined)) {
      return `"${range}" is not a number from ${spec.min} to ${spec.max}${spec.names === undefined ? '' : ' or a name'}`;
    }
    const [low = 0, high = low] = values as number[];
    if (high < low) return `range "${range}" goes backwards`;
  }
  return undefined;
}

function valueOf(text: string, spec: FieldSpec): number | undefined {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    return value >= spec.min && value <= spec.max ? value : undefined;
  }
  const index = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index < 0) return undefined;
  return spec.names === MONTHS ? index + 1 : index;
}
