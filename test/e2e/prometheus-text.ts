/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: every
 * line must be a HELP, a TYPE or a sample of a declared metric, or it throws. prom-client can
 * write the format but ships no parser.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const HELP = new RegExp(`^# HELP (${NAME}) .*$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/;
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count', ''],
};

export function parseExposition(text: string): Sample[] {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const [index, line] of text.slice(0, -1).split('\n').entries()) {
    const where = `line ${String(index + 1)}: ${line}`;
    // The format ignores empty lines; prom-client puts one between metrics.
    if (line === '' || HELP.test(line)) continue;
    const type = TYPE.exec(line);
    if (type !== null) {
      const [, name = '', kind = ''] = type;
      if (types.has(name)) throw new Error(`${where}: TYPE given twice`);
      types.set(name, kind);
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (sample === null) throw new Error(`${where}: not a sample, HELP or TYPE line`);
    const [, name = '', labelText = '', valueText = ''] = sample;
    if (!declared(name, types)) throw new Error(`${where}: no TYPE for ${name}`);
    const value = parseValue(valueText);
    if (value === undefined) throw new Error(`${where}: bad value`);
    samples.push({ name, labels: parseLabels(labelText, where), value });
  }
  return samples;
}

function declared(name: string, types: ReadonlyMap<string, string>): boolean {
  if (types.has(name)) return true;
  for (const [base, kind] of types) {
    for (const suffix of SUFFIXES[kind] ?? []) if (`${base}${suffix}` === name) return true;
  }
  return false;
}

function parseValue(text: string): number | undefined {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  return text !== '' && !Number.isNaN(value) ? value : undefined;
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const match = LABEL.exec(rest);
    if (match === null) throw new Error(`${where}: bad labels`);
    const [all, name = '', raw = ''] = match;
    labels[name] = raw.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(all.length);
  }
  return labels;
}

/** The value of the one sample of `name` whose labels include `labels`; undefined if none. */
export function sampleValue(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>>,
): number | undefined {
  const found = samples.filter(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${String(found.length)} samples of ${name} match`);
  return found[0]?.value;
}

/** The sum of every sample of `name`; undefined when there is none. */
export function sumSamples(samples: readonly Sample[], name: string): number | undefined {
  const found = samples.filter((sample) => sample.name === name);
  return found.length === 0 ? undefined : found.reduce((sum, sample) => sum + sample.value, 0);
}
