import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, formatProblem } from '../../../src/adapters/config/config-error.js';
import { checkCron } from '../../../src/adapters/config/cron-check.js';
import { checkPattern } from '../../../src/adapters/config/pattern-check.js';

describe('ConfigError.format', () => {
  it('prints one line per problem with file, job and field', () => {
    const error = new ConfigError([
      {
        file: 'config/jobs.yaml',
        job: 'clean-dev',
        jobIndex: 1,
        field: 'tag_regexps[1]',
        message: 'invalid regular expression "(": x',
      },
      { file: 'config/jobs.yaml', jobIndex: 2, field: 'name', message: 'is required' },
      { file: 'config/config.yaml', message: 'is empty' },
    ]);
    assert.equal(
      error.format(),
      [
        'Invalid configuration (3 problems):',
        '  config/jobs.yaml: job "clean-dev" field tag_regexps[1]: invalid regular expression "(": x',
        '  config/jobs.yaml: job #2 field name: is required',
        '  config/config.yaml: is empty',
      ].join('\n'),
    );
    assert.equal(
      formatProblem({ file: 'c.yaml', field: 'timeout', message: 'm' }),
      'c.yaml: field timeout: m',
    );
  });
});

describe('checkPattern', () => {
  it('accepts JavaScript syntax, escaped \\\\A and character classes with A and Z', () => {
    for (const source of [
      'v\\d+',
      '(?<v>\\d)\\k<v>',
      '\\\\A',
      '[\\A-Z]',
      '(?:a|b)',
      '(?=x)',
      '(?<!y)z',
    ]) {
      assert.equal(checkPattern(source).ok, true, source);
    }
  });

  it('hints at atomic groups, comments and possessive quantifiers', () => {
    const message = (source: string): string => {
      const check = checkPattern(source);
      return check.ok ? '' : check.message;
    };
    assert.match(message('(?>abc)'), /atomic group/);
    assert.match(message('(?#note)abc'), /comment/);
    assert.match(message('a++'), /possessive quantifier/);
    assert.match(message('(?i)dev'), /inline flags/);
    // The scoped form (?i:...) is a JavaScript RegExp modifier from Node 23 on (V8 12.5), with
    // Python's meaning: the runtime that executes the pattern decides, as everywhere else.
    if (runtimeHasRegExpModifiers()) assert.equal(message('(?i:dev)'), '');
    else assert.match(message('(?i:dev)'), /inline flags/);
  });
});

describe("checkCron: the scheduler's own parser decides (issue 14)", () => {
  it('accepts what the scheduler plans: 5 or 6 fields, names, ranges, steps, L, ?, #', () => {
    for (const expression of [
      '0 3 * * *',
      '*/15 * * * MON-FRI',
      '0 0 1,15 jan-mar 0',
      '0 3 * * 7',
      '0 3 * * 5L',
      '0 3 L * *',
      '0 3 ? * *',
      '30 0 3 ? * 1',
      '0 3 * * 5#2',
      '0 1-5/2 * * *',
      '@daily',
    ]) {
      assert.equal(checkCron(expression), undefined, expression);
    }
  });

  it('refuses what the scheduler cannot plan, and says why', () => {
    // Parsed by cron-parser, but it has no next firing: this once passed the check and the
    // job waited a year.
    assert.match(checkCron('30 0 3 ? * L') ?? '', /cannot plan it .*last weekday/i);
    assert.match(checkCron('0 0 31 2,4 *') ?? '', /cannot plan it/);
    assert.match(checkCron('0 0 30 2 *') ?? '', /cannot plan it/);
    assert.match(checkCron('0 3 * * 5#6') ?? '', /cannot plan it/);
    assert.match(checkCron('0 24 * * *') ?? '', /got value 24 expected range 0-23/);
    assert.match(checkCron('0 3 * 13 *') ?? '', /got value 13 expected range 1-12/);
    assert.match(checkCron('*/0 3 * * *') ?? '', /every 0/);
    assert.match(checkCron('0 5-2 * * *') ?? '', /Invalid range: 5-2/);
  });

  it('refuses fewer than 5 fields, which cron-parser would pad into another schedule', () => {
    assert.match(checkCron('0 3 * *') ?? '', /found 4/);
    assert.match(checkCron('1 2 3 4 5 6 7') ?? '', /found 7/);
  });
});

function runtimeHasRegExpModifiers(): boolean {
  try {
    new RegExp('(?i:a)');
    return true;
  } catch {
    return false;
  }
}
