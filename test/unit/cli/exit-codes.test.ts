import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEBUG_ENV,
  exitCodeFor,
  exitCodeForReports,
  interruptedExitCode,
} from '../../../src/adapters/cli/exit-codes.js';
import { UsageError } from '../../../src/adapters/shared/usage-error.js';
import { ConfigError } from '../../../src/adapters/config/config-error.js';
import type { JobReport } from '../../../src/domain/job-report.js';
import { aJobReport } from '../../builders/job-reports.js';

function report(jobName: string, success: boolean): JobReport {
  return aJobReport({ jobName, success });
}

describe('exitCodeFor', () => {
  it('a ConfigError exits 2 with every problem, one per line', () => {
    const error = new ConfigError([
      {
        file: 'config/config.yaml',
        field: 'timeout',
        message: 'must be between 1 and 120 seconds, got 0',
      },
      {
        file: 'config/jobs.yaml',
        job: 'clean-dev',
        field: 'tag_regexps[1]',
        message: 'invalid regular expression "(": x',
      },
    ]);
    const { code, message } = exitCodeFor(error, {});
    assert.equal(code, 2);
    assert.ok(
      message.includes(
        'config/config.yaml: field timeout: must be between 1 and 120 seconds, got 0',
      ),
    );
    assert.ok(
      message.includes(
        'config/jobs.yaml: job "clean-dev" field tag_regexps[1]: invalid regular expression',
      ),
    );
    assert.match(message, /Nothing was sent to the registry/);
  });

  it('a usage error exits 2 and points at --help', () => {
    const { code, message } = exitCodeFor(new UsageError('no such job'), {});
    assert.equal(code, 2);
    assert.equal(message, 'error: no such job\n(run reg-cleaner --help for usage)');
  });

  it('an unexpected error exits 1 with its message, redacted, and no stack', () => {
    const { code, message } = exitCodeFor(
      new TypeError('proxy http://bob:hunter2@proxy:3128 refused'),
      {},
    );
    assert.equal(code, 1);
    assert.match(
      message,
      /^reg-cleaner: unexpected error: TypeError: proxy http:\/\/\*\*\*@proxy:3128 refused/,
    );
    assert.ok(!message.includes('hunter2'));
    assert.ok(!message.includes('    at '), 'no stack without the debug variable');
    assert.match(message, new RegExp(`set ${DEBUG_ENV}=1`));
  });

  it('shows the stack when the debug variable is set', () => {
    const { code, message } = exitCodeFor(new Error('boom'), { [DEBUG_ENV]: '1' });
    assert.equal(code, 1);
    assert.match(message, /unexpected error: boom\nError: boom\n\s+at /);
  });

  it('handles values that are not errors', () => {
    assert.deepEqual(exitCodeFor('a string', {}).code, 1);
    assert.match(exitCodeFor(undefined, {}).message, /unexpected error: undefined/);
  });
});

describe('exitCodeForReports and interruptedExitCode', () => {
  it('0 when every job succeeded (and when there was none), 1 when any failed', () => {
    assert.equal(exitCodeForReports([]), 0);
    assert.equal(exitCodeForReports([report('a', true), report('b', true)]), 0);
    assert.equal(exitCodeForReports([report('a', true), report('b', false)]), 1);
  });

  it('130 for SIGINT, 143 for SIGTERM', () => {
    assert.equal(interruptedExitCode('SIGINT'), 130);
    assert.equal(interruptedExitCode('SIGTERM'), 143);
  });
});
