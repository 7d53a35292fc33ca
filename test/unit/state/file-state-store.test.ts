import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileStateStore } from '../../../src/adapters/state/file-state-store.adapter.js';
import { acquireStateLock, StateLockedError } from '../../../src/adapters/state/state-lock.js';
import type { JobReport } from '../../../src/domain/job-report.js';
import { aJobReport } from '../../builders/job-reports.js';
import { FixedClock } from '../../fakes/fixed-clock.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';

const AT = new Date('2026-06-01T10:00:00Z');
let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'reg-cleaner-state-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let counter = 0;
function freshDir(): string {
  counter += 1;
  return join(root, String(counter));
}

function report(overrides: Partial<JobReport> = {}): JobReport {
  const built = aJobReport(
    { mode: 'watch', startedAt: new Date('2026-06-01T09:59:00Z'), finishedAt: AT },
    [
      {
        repository: 'team/app',
        decisions: [
          {
            repository: 'team/app',
            tag: 'dev-1',
            digest: 'sha256:1',
            created: new Date('2026-01-01T00:00:00Z'),
            action: 'delete',
            reason: 'old',
            detail: 'old',
          },
        ],
        deletions: [
          {
            repository: 'team/app',
            digest: 'sha256:1',
            tags: ['dev-1'],
            outcome: { status: 'deleted' },
          },
        ],
        errors: [],
        warnings: [],
      },
    ],
  );
  return { ...built, ...overrides };
}

function store(dir: string, logger = new RecordingLogger()): FileStateStore {
  return new FileStateStore(dir, new FixedClock(AT), logger);
}

describe('FileStateStore', () => {
  it('writes a job-keyed record with the original field names plus dry_run and repositories', async () => {
    const dir = freshDir();
    await store(dir).saveReport(report());
    const json = JSON.parse(await readFile(join(dir, 'latest_cleanup.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    const record = json['clean-dev'];
    assert.ok(record);
    for (const field of [
      'job_name',
      'mode',
      'started_at',
      'finished_at',
      'success',
      'errors',
      'found_tags',
      'found_tags_count',
      'repo_stats',
      'dry_run',
    ]) {
      assert.ok(field in record, `field ${field}`);
    }
    assert.equal(record.found_tags_count, 1);
    assert.deepEqual(record.found_tags, [
      {
        repository: 'team/app',
        tag: 'dev-1',
        digest: 'sha256:1',
        created: '2026-01-01T00:00:00.000Z',
        status: 'deleted',
      },
    ]);
  });

  it('a dry-run record keeps the last real run, so it never delays a real one', async () => {
    const dir = freshDir();
    await store(dir).saveReport(report());
    const second = store(dir);
    await second.saveReport(report({ dryRun: true, finishedAt: new Date('2026-06-02T00:00:00Z') }));
    const runs = await store(dir).lastRealRuns();
    assert.deepEqual(runs.get('clean-dev'), { finishedAt: AT, success: true });
  });

  it('a dry run after a real run is nested under last_dry_run: the real deletions stay on top', async () => {
    const dir = freshDir();
    await store(dir).saveReport(report());
    await store(dir).saveReport(
      report({ dryRun: true, finishedAt: new Date('2026-06-02T00:00:00Z') }),
    );
    await store(dir).saveReport(
      report({ dryRun: true, finishedAt: new Date('2026-06-03T00:00:00Z') }),
    );
    const json = JSON.parse(await readFile(join(dir, 'latest_cleanup.json'), 'utf8')) as Record<
      string,
      {
        dry_run: boolean;
        found_tags_count: number;
        last_dry_run?: { finished_at: string; dry_run: boolean; last_dry_run?: unknown };
      }
    >;
    const record = json['clean-dev'];
    assert.ok(record);
    assert.equal(record.dry_run, false);
    assert.equal(record.found_tags_count, 1);
    const dry = record.last_dry_run;
    assert.ok(dry);
    assert.equal(dry.dry_run, true);
    assert.equal(dry.finished_at, '2026-06-03T00:00:00.000Z');
    assert.equal(dry.last_dry_run, undefined, 'not nested twice');
  });

  it('history says would_delete for a dry run', async () => {
    const dir = freshDir();
    const state = store(dir);
    await state.appendHistory({ kind: 'finished', report: report({ dryRun: true }) });
    const text = await readFile(join(dir, 'history.log'), 'utf8');
    assert.match(text, /finished \(dry run\) examined=1 kept=0 would_delete=\d+ failed=0/);
  });

  it('a dry run with no real run before gives no real-run record', async () => {
    const dir = freshDir();
    await store(dir).saveReport(report({ dryRun: true }));
    assert.equal((await store(dir).lastRealRuns()).size, 0);
  });

  it('concurrent saves of several jobs all land, and the file stays valid JSON', async () => {
    const dir = freshDir();
    const shared = store(dir);
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        shared.saveReport(report({ jobName: `job-${String(index)}` })),
      ),
    );
    const json = JSON.parse(await readFile(join(dir, 'latest_cleanup.json'), 'utf8')) as object;
    assert.equal(Object.keys(json).length, 20);
    const leftovers = (await readdir(dir)).filter((name) => name.endsWith('.tmp'));
    assert.deepEqual(leftovers, []);
  });

  it('a truncated state file is moved aside with a warning and treated as empty', async () => {
    const dir = freshDir();
    await store(dir).saveReport(report());
    const path = join(dir, 'latest_cleanup.json');
    await writeFile(path, '{"clean-dev": {"job_na');
    const logger = new RecordingLogger();
    const runs = await store(dir, logger).lastRealRuns();
    assert.equal(runs.size, 0);
    assert.ok((await readdir(dir)).some((name) => name.startsWith('latest_cleanup.json.corrupt-')));
    assert.match(logger.text(), /moved aside/);
  });

  it('history.log gets one line per event', async () => {
    const dir = freshDir();
    const state = store(dir);
    await state.appendHistory({ kind: 'started', jobName: 'clean-dev', dryRun: true, at: AT });
    await state.appendHistory({ kind: 'finished', report: report() });
    const lines = (await readFile(join(dir, 'history.log'), 'utf8')).trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', /job=clean-dev started \(dry run\)/);
    assert.match(lines[1] ?? '', /job=clean-dev finished examined=1 kept=0 deleted=1 failed=0/);
  });

  it('a forced exit ends every job still open with an interrupted line, and only those', async () => {
    const dir = freshDir();
    const state = store(dir);
    await state.appendHistory({ kind: 'started', jobName: 'clean-dev', dryRun: false, at: AT });
    await state.appendHistory({ kind: 'started', jobName: 'nightly', dryRun: true, at: AT });
    await state.appendHistory({ kind: 'finished', report: report() });
    assert.deepEqual(state.openJobs(), ['nightly']);
    state.endOpenJobsNow(AT, 'second SIGINT: exited at once');
    // Nothing is left open: a second call writes nothing more.
    state.endOpenJobsNow(AT, 'again');
    assert.deepEqual(state.openJobs(), []);
    const lines = (await readFile(join(dir, 'history.log'), 'utf8')).trim().split('\n');
    assert.equal(lines.length, 4);
    assert.equal(
      lines[3],
      `${AT.toISOString()} job=nightly interrupted (dry run) (second SIGINT: exited at once)`,
    );
  });
});

describe('state lock', () => {
  it('refuses a second holder that is alive, naming the lock and the pid', async () => {
    const dir = freshDir();
    const lock = await acquireStateLock(dir);
    // The parent process (the test runner) is surely alive and is not us.
    await assert.rejects(acquireStateLock(dir, process.ppid), (error: unknown) => {
      assert.ok(error instanceof StateLockedError);
      assert.match(error.message, new RegExp(`pid ${String(process.pid)}`));
      assert.match(error.message, /reg-cleaner\.lock/);
      return true;
    });
    lock.release();
    const again = await acquireStateLock(dir, process.ppid);
    again.release();
  });

  it('takes over a stale lock of a dead process', async () => {
    const dir = freshDir();
    await acquireStateLock(dir);
    await writeFile(join(dir, 'reg-cleaner.lock'), '999999999\n');
    const lock = await acquireStateLock(dir);
    assert.equal((await readFile(lock.file, 'utf8')).trim(), String(process.pid));
    lock.release();
  });
});
