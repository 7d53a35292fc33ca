import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  type CliOptions,
  type DemoOptions,
  parseCommandLine,
} from '../../../src/adapters/cli/command-line.js';

function run(argv: string[]): CliOptions {
  const parsed = parseCommandLine(argv);
  if (parsed.kind !== 'run') assert.fail(`expected options, got ${JSON.stringify(parsed)}`);
  return parsed.options;
}

function demo(argv: string[]): DemoOptions {
  const parsed = parseCommandLine(['demo', ...argv]);
  if (parsed.kind !== 'demo') assert.fail(`expected demo options, got ${JSON.stringify(parsed)}`);
  return parsed.options;
}

function exit(argv: string[]): { code: number; output: string } {
  const parsed = parseCommandLine(argv);
  if (parsed.kind !== 'exit') assert.fail(`expected an exit, got options for ${argv.join(' ')}`);
  return parsed;
}

describe('parseCommandLine', () => {
  it('defaults: every manual job, real run, ./config ./cache ./logs', () => {
    assert.deepEqual(run([]), {
      dryRun: false,
      checkConfig: false,
      watch: false,
      jobs: [],
      httpLogs: false,
      testNotifications: false,
      configDir: './config',
      stateDir: './cache',
      logsDir: './logs',
    });
  });

  it('reads every flag', () => {
    assert.deepEqual(
      run([
        '--dry-run',
        '--check-config',
        '--http-logs',
        '--jobs',
        'a',
        'b,c',
        '--config-dir',
        '/etc/rc',
        '--state-dir',
        '/var/rc',
        '--logs-dir',
        '/var/log/rc',
      ]),
      {
        dryRun: true,
        checkConfig: true,
        watch: false,
        jobs: ['a', 'b', 'c'],
        httpLogs: true,
        testNotifications: false,
        configDir: '/etc/rc',
        stateDir: '/var/rc',
        logsDir: '/var/log/rc',
        givenDirs: new Set(['stateDir', 'logsDir']),
      },
    );
  });

  it('--strict for cleaning runs only; a folder flag given with its default value counts as given', () => {
    assert.equal(run(['--strict']).strict, true);
    assert.equal(run(['--watch', '--strict']).strict, true);
    assert.equal(run([]).strict, undefined);
    assert.match(
      exit(['--strict', '--restore', '--jobs', 'a']).output,
      /--strict is for cleaning runs/,
    );
    assert.match(
      exit(['--strict', '--test-notifications']).output,
      /--strict is for cleaning runs/,
    );
    assert.deepEqual(run(['--logs-dir', './logs']).givenDirs, new Set(['logsDir']));
  });

  it('allows --watch with --dry-run', () => {
    const options = run(['--watch', '--dry-run']);
    assert.equal(options.watch, true);
    assert.equal(options.dryRun, true);
  });

  it('--test-notifications runs no job: not with --watch or --jobs', () => {
    assert.equal(run(['--test-notifications']).testNotifications, true);
    for (const argv of [
      ['--test-notifications', '--watch'],
      ['--jobs', 'x', '--test-notifications'],
    ]) {
      const result = exit(argv);
      assert.equal(result.code, 2);
      assert.match(
        result.output,
        /--test-notifications runs no job: leave out --watch, --jobs and --restore/,
      );
    }
  });

  it("keeps --debug, the original tool's name, as an alias of --dry-run", () => {
    assert.equal(run(['--debug']).dryRun, true);
    assert.equal(run(['--debug', '--dry-run']).dryRun, true);
    assert.equal(run(['--jobs', 'a']).dryRun, false);
  });

  for (const argv of [
    ['--watch', '--jobs', 'x'],
    ['--jobs', 'x', '--watch'],
  ]) {
    it(`${argv.join(' ')} is a usage error (exit 2)`, () => {
      const result = exit(argv);
      assert.equal(result.code, 2);
      assert.match(result.output, /--watch and --jobs cannot be used together/);
      assert.match(result.output, /--help/);
    });
  }

  for (const argv of [
    ['--bogus'],
    ['--debug', 'stray-argument'],
    ['--jobs'],
    ['--jobs', ','],
    ['--config-dir'],
  ]) {
    it(`${argv.join(' ')} is a usage error (exit 2)`, () => {
      const result = exit(argv);
      assert.equal(result.code, 2);
      assert.match(result.output, /^error: /);
    });
  }

  it('names the unknown option and suggests the closest one', () => {
    const output = exit(['--dry-rn']).output;
    assert.match(output, /unknown option '--dry-rn'/);
    assert.match(output, /Did you mean --dry-run\?/);
  });

  it('--help exits 0 and documents every flag, the modes, an example and the exit codes', () => {
    for (const flag of ['--help', '-h']) {
      const result = exit([flag]);
      assert.equal(result.code, 0);
      for (const option of [
        '--dry-run',
        '--check-config',
        '--watch',
        '--jobs',
        '--http-logs',
        '--config-dir',
        '--state-dir',
        '--logs-dir',
        '--version',
        '--help',
      ]) {
        assert.ok(result.output.includes(option), `help lacks ${option}`);
      }
      assert.match(result.output, /Examples:\n\s+reg-cleaner --dry-run/);
      assert.match(result.output, /reg-cleaner --jobs clean-dev-tags clean-prod-older-15/);
      assert.match(result.output, /--watch and --jobs cannot be combined/);
      assert.match(result.output, /default: "\.\/config"/);
      assert.match(
        result.output,
        /2 invalid configuration or usage, or the state folder is locked/,
      );
    }
  });

  it('demo: the whole demo by default, --keep, --seed URL, its own help and usage errors', () => {
    assert.deepEqual(demo([]), { keep: false });
    assert.deepEqual(demo(['--keep']), { keep: true });
    assert.deepEqual(demo(['--seed', 'http://127.0.0.1:5055']), {
      keep: false,
      seedUrl: 'http://127.0.0.1:5055',
    });
    const help = exit(['demo', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.output, /reg-cleaner demo/);
    assert.match(help.output, /--seed <url>/);
    assert.equal(exit(['demo', '--seed', 'localhost:5000']).code, 2);
    assert.equal(exit(['demo', 'extra']).code, 2);
    assert.equal(exit(['demo', '--watch']).code, 2);
    assert.match(exit(['--help']).output, /reg-cleaner demo {2,}see it work/);
  });

  it('--version prints the version of package.json', () => {
    const packageJson = JSON.parse(
      readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    for (const flag of ['--version', '-V']) {
      assert.deepEqual(exit([flag]), { kind: 'exit', code: 0, output: `${packageJson.version}\n` });
    }
  });

  it('does not touch process.exitCode', () => {
    exit(['--bogus']);
    assert.equal(process.exitCode, undefined);
  });
});

describe('parseCommandLine: metrics and log format', () => {
  it('reads --metrics-listen with --watch, --metrics-file without, and --log-format', () => {
    const watch = run(['--watch', '--metrics-listen', '0.0.0.0:9464', '--log-format', 'json']);
    assert.deepEqual(watch.metricsListen, { host: '0.0.0.0', port: 9464 });
    assert.equal(watch.logFormat, 'json');
    assert.equal(run(['--metrics-file', '/tmp/run.prom']).metricsFile, '/tmp/run.prom');
  });

  it('refuses the combinations that cannot work, as usage errors', () => {
    const cases: [string[], RegExp][] = [
      [['--metrics-listen', '127.0.0.1:9464'], /--metrics-listen needs --watch/],
      [['--watch', '--metrics-file', 'x.prom'], /--metrics-file is for one-shot runs/],
      [['--watch', '--metrics-listen', '9464'], /--metrics-listen must be HOST:PORT/],
      [['--log-format', 'xml'], /--log-format must be text or json/],
    ];
    for (const [argv, message] of cases) {
      const result = exit(argv);
      assert.equal(result.code, 2, argv.join(' '));
      assert.match(result.output, message);
    }
  });
});

describe('parseCommandLine: --shard I/N (issue 24)', () => {
  it('reads the shard of a one-shot run, a dry run and a restore', () => {
    assert.deepEqual(run(['--shard', '1/3']).shard, { index: 1, count: 3 });
    assert.deepEqual(run(['--dry-run', '--jobs', 'a', '--shard=0/2']).shard, {
      index: 0,
      count: 2,
    });
    const restore = run(['--restore', '--jobs', 'a', '--shard', '2/3']);
    assert.deepEqual(restore.restore, { jobs: ['a'] });
    assert.deepEqual(restore.shard, { index: 2, count: 3 });
    assert.equal(run([]).shard, undefined);
  });

  it('refuses a shard that is not I/N with 0 <= I < N, and the modes it makes no sense in', () => {
    const cases: [string[], RegExp][] = [
      [['--shard', '3/3'], /--shard "3\/3": I must be less than N/],
      [['--shard', '0/0'], /--shard "0\/0": N, the number of shards, must be at least 1/],
      [['--shard', '-1/2'], /--shard "-1\/2" is not I\/N/],
      [['--shard=-1/2'], /--shard "-1\/2" is not I\/N/],
      [['--shard', 'a/b'], /--shard "a\/b" is not I\/N/],
      [['--shard', '1/2/3'], /--shard "1\/2\/3" is not I\/N/],
      [['--shard'], /argument missing/],
      [['--watch', '--shard', '0/2'], /--shard splits one-shot runs/],
      [['--test-notifications', '--shard', '0/2'], /--shard cannot be combined with --test/],
      [['--restore-from', 'j.jsonl', '--shard', '0/2'], /--restore-from FILE names its journal/],
    ];
    for (const [argv, message] of cases) {
      const result = exit(argv);
      assert.equal(result.code, 2, argv.join(' '));
      assert.match(result.output, message, argv.join(' '));
    }
  });
});
