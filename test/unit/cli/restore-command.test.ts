import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JournalError } from '../../../src/application/ports/deletion-journal.port.js';
import { parseCommandLine } from '../../../src/adapters/cli/command-line.js';
import { exitCodeFor, exitCodeForRestore } from '../../../src/adapters/cli/exit-codes.js';
import { renderRestoreReport, restoreSources } from '../../../src/adapters/cli/restore-command.js';
import type { AppConfig } from '../../../src/adapters/config/app-config.js';
import { ConfigError } from '../../../src/adapters/config/config-error.js';
import {
  GARBAGE_COLLECTION_REMINDER,
  renderSummary,
} from '../../../src/adapters/reports/console-table.observer.js';
import type { RestoreReport, TagRestoreOutcome } from '../../../src/domain/restore-report.js';
import { aJobReport } from '../../builders/job-reports.js';
import { aJob } from '../../builders/jobs.js';
import { loadFails, loadOk, NO_NEEDS, tempConfigDir } from '../config/config-test-support.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

function parsed(argv: string[]) {
  const result = parseCommandLine(argv);
  if (result.kind === 'demo') return assert.fail('not the demo');
  return result.kind === 'run'
    ? result.options.restore
    : { exit: result.code, output: result.output };
}

describe('--restore and --restore-from on the command line', () => {
  it('--restore --jobs names the jobs; --restore-from one file', () => {
    assert.deepEqual(parsed(['--restore', '--jobs', 'a', 'b,c']), { jobs: ['a', 'b', 'c'] });
    assert.deepEqual(parsed(['--restore-from', 'cache/journal/a/x.jsonl', '--dry-run']), {
      file: 'cache/journal/a/x.jsonl',
    });
    assert.equal(parsed(['--jobs', 'a']), undefined, 'a cleaning run restores nothing');
  });

  it('refuses combinations that do not say what to restore', () => {
    for (const [argv, why] of [
      [['--restore'], /--restore needs --jobs/],
      [['--restore', '--watch'], /cannot be combined with --watch/],
      [['--restore-from', 'x', '--jobs', 'a'], /--restore-from FILE restores one journal/],
      [['--restore-from', 'x', '--restore', '--jobs', 'a'], /restores one journal/],
      [['--restore-from', ' '], /needs a journal file/],
    ] as const) {
      const result = parsed([...argv]);
      assert.ok(result !== undefined && 'exit' in result, argv.join(' '));
      assert.equal(result.exit, 2);
      assert.match(result.output, why);
    }
  });

  it('the help shows both', () => {
    const help = parseCommandLine(['--help']);
    assert.ok(help.kind === 'exit');
    assert.match(help.output, /--restore --jobs NAME\.\.\./);
    assert.match(help.output, /--restore-from <file>/);
  });
});

describe('restoreSources', () => {
  const config: AppConfig = {
    configDir: 'config',
    registry: { url: 'https://r', timeoutMs: 1000, maxConcurrentRequests: 1, insecure: false },
    manualJobs: [aJob({ name: 'manual-one' })],
    watchJobs: [aJob({ name: 'watch-one' })],
  };

  it('takes jobs of either file, each once, and a file as it is', () => {
    assert.deepEqual(restoreSources(config, { jobs: ['watch-one', 'manual-one', 'watch-one'] }), [
      { job: 'watch-one' },
      { job: 'manual-one' },
    ]);
    assert.deepEqual(restoreSources(config, { file: 'j.jsonl' }), [{ file: 'j.jsonl' }]);
  });

  it('an unknown job is a configuration error naming the known ones', () => {
    assert.throws(
      () => restoreSources(config, { jobs: ['nope'] }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /"nope".*known jobs: manual-one, watch-one/.test(error.format()),
    );
  });
});

function restoreReport(outcomes: Record<string, TagRestoreOutcome>, dryRun = false): RestoreReport {
  return {
    dryRun,
    journals: ['cache/journal/clean/20260601T120005Z.jsonl'],
    tags: Object.entries(outcomes).map(([tag, outcome]) => ({
      repository: 'team/app',
      tag,
      digest: DIGEST,
      outcome,
    })),
  };
}

describe('the restore on the console and its exit code', () => {
  it('names the journal and every tag with its result; exit 0 when everything restorable was restored', () => {
    const report = restoreReport({
      v1: { status: 'restored' },
      v2: { status: 'in-place' },
      v3: { status: 'moved', digest: 'sha256:new' },
    });
    const text = renderRestoreReport(report);
    assert.match(text, /^== restore from cache\/journal\/clean\/20260601T120005Z\.jsonl\n/);
    assert.match(text, new RegExp(`team/app\\s+v1\\s+${DIGEST}\\s+RESTORED`));
    assert.match(text, /v3 .*LEFT ALONE\s+pushed again since: it now points at sha256:new/);
    assert.match(
      text,
      /restore: restored 1, already in place 1, pushed again since \(left alone\) 1, not restorable 0, failed 0/,
    );
    assert.equal(exitCodeForRestore(report), 0);
  });

  it('exit 1 when a manifest could not be restored, each tag named with the reason', () => {
    const report = restoreReport({
      v1: {
        status: 'refused',
        reason: 'layer blob sha256:b is gone: the garbage collector removed it',
      },
      v2: { status: 'failed', problem: 'PUT failed' },
    });
    const text = renderRestoreReport(report);
    assert.match(text, /v1 .*NOT RESTORABLE\s+layer blob sha256:b is gone/);
    assert.match(text, /v2 .*FAILED\s+PUT failed/);
    assert.equal(exitCodeForRestore(report), 1);
  });

  it('a dry run says so', () => {
    const text = renderRestoreReport(restoreReport({ v1: { status: 'would-restore' } }, true));
    assert.match(text, /\(dry run: nothing is written\)/);
    assert.match(text, /restore: would restore 1,/);
  });

  it('a journal that cannot be used is bad input: exit 2, nothing sent', () => {
    const decision = exitCodeFor(new JournalError('the journal x.jsonl cannot be read (ENOENT)'));
    assert.equal(decision.code, 2);
    assert.match(
      decision.message,
      /x\.jsonl cannot be read \(ENOENT\)\nNothing was sent to the registry\./,
    );
  });
});

describe('the run summary and the deletion journal', () => {
  it('names the journal and how to undo; the GC reminder says restoring works until the collector runs', () => {
    const text = renderSummary({
      ...aJobReport({ jobName: 'clean dev', success: true }),
      journal: 'cache/journal/clean%20dev/20260601T120005Z.jsonl',
    });
    assert.match(
      text,
      /journal: cache\/journal\/clean%20dev\/20260601T120005Z\.jsonl \(undo: reg-cleaner --restore-from cache\/journal\/clean%20dev\/20260601T120005Z\.jsonl\)/,
    );
    // The run's own journal, quoted for the shell when its folder needs it.
    assert.match(
      renderSummary({ ...aJobReport({ jobName: 'x' }), journal: 'my state/journal/x/1.jsonl' }),
      /undo: reg-cleaner --restore-from 'my state\/journal\/x\/1\.jsonl'\)/,
    );
    assert.match(
      GARBAGE_COLLECTION_REMINDER,
      /Until it runs, `reg-cleaner --restore` can put the deleted tags back/,
    );
    assert.ok(!renderSummary(aJobReport({ jobName: 'x', success: true })).includes('journal:'));
  });
});

describe('journal_keep_days in config.yaml', () => {
  it('defaults to 30 days and accepts 1..3650 whole days', () => {
    const defaults = tempConfigDir({ 'config.yaml': 'registry_url: https://r.example\n' });
    const set = tempConfigDir({
      'config.yaml': 'registry_url: https://r.example\njournal_keep_days: 7\n',
    });
    try {
      assert.deepEqual(loadOk(defaults.dir, {}, NO_NEEDS).journal, { keepDays: 30 });
      assert.deepEqual(loadOk(set.dir, {}, NO_NEEDS).journal, { keepDays: 7 });
    } finally {
      defaults.remove();
      set.remove();
    }
  });

  it('refuses 0, fractions and text, naming the field', () => {
    for (const value of ['0', '1.5', 'forever', '4000']) {
      const folder = tempConfigDir({
        'config.yaml': `registry_url: https://r.example\njournal_keep_days: ${value}\n`,
      });
      try {
        const error = loadFails(folder.dir, {}, NO_NEEDS);
        assert.match(error.format(), /journal_keep_days.*(days|whole number)/, value);
      } finally {
        folder.remove();
      }
    }
  });
});
