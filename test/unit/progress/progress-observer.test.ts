import 'reflect-metadata';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { ConsoleLines } from '../../../src/adapters/shared/text/console-lines.js';
import {
  LOG_EVERY_MS,
  ProgressObserver,
  type ProgressTerminal,
} from '../../../src/adapters/progress/progress.observer.js';
import { liveLine } from '../../../src/adapters/progress/progress-figures.js';
import { RequestStats } from '../../../src/adapters/shared/http/request-stats.js';
import type { RunObserver } from '../../../src/application/ports/run-observer.port.js';
import type { RepositorySummary } from '../../../src/domain/job-report.js';
import { aJob } from '../../builders/jobs.js';
import { aJobReport } from '../../builders/job-reports.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';

/** A terminal stand-in: records what was written; `every` fires only when the test says so. */
class FakeTerminal implements ProgressTerminal {
  text = '';
  nowMs = 0;
  readonly ticks: { ms: number; tick: () => void; cancelled: boolean }[] = [];
  readonly lines = new ConsoleLines();
  readonly stream: Writable & { isTTY: boolean; columns: number };

  constructor(tty: boolean) {
    const stream = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.text += chunk.toString();
        done();
      },
    });
    this.stream = Object.assign(stream, { isTTY: tty, columns: 200 });
  }

  every(ms: number, tick: () => void): { cancel(): void } {
    const entry = { ms, tick, cancelled: false };
    this.ticks.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  now(): number {
    return this.nowMs;
  }

  /** Moves time on by `ms` and fires every interval due meanwhile. */
  advance(ms: number): void {
    for (const entry of this.ticks) {
      for (let at = entry.ms; at <= ms && !entry.cancelled; at += entry.ms) {
        this.nowMs += entry.ms;
        entry.tick();
      }
    }
  }
}

function summary(examined: number, deleted: number): RepositorySummary {
  return {
    repository: 'team/app',
    examined,
    unmatched: 0,
    kept: examined - deleted,
    deleted,
    untagged: 0,
    failed: 0,
    reclaimableBytes: 0,
    errors: [],
    warnings: [],
  };
}

const report = { repository: 'team/app', decisions: [], deletions: [], errors: [], warnings: [] };

async function runJob(observer: RunObserver, onDone: () => void): Promise<void> {
  const job = aJob({ name: 'clean-dev' });
  await observer.jobStarted({
    job,
    mode: 'manual',
    dryRun: true,
    startedAt: new Date(),
    repositories: 2,
  });
  await observer.repositoryFinished({
    jobName: 'clean-dev',
    dryRun: true,
    report,
    summary: summary(10, 4),
    finished: 1,
  });
  onDone();
  await observer.repositoryFinished({
    jobName: 'clean-dev',
    dryRun: true,
    report,
    summary: summary(5, 1),
    finished: 2,
  });
  await observer.jobFinished({ report: aJobReport({ jobName: 'clean-dev', dryRun: true }) });
}

describe('ProgressObserver without a terminal', () => {
  it('logs one progress line every 10 s, and none for a run shorter than that', async () => {
    const terminal = new FakeTerminal(false);
    const logger = new RecordingLogger();
    const stats = new RequestStats();
    const observer = new ProgressObserver(logger, stats, terminal);
    await runJob(observer, () => {
      for (let n = 0; n < 7; n++) stats.recordRequest('manifest-get');
      terminal.advance(LOG_EVERY_MS - 1);
      assert.deepEqual(logger.entries, [], 'nothing before 10 s');
      terminal.advance(2 * LOG_EVERY_MS);
    });
    assert.deepEqual(
      logger.entries.map((entry) => entry.message),
      [
        'progress: 1/2 repositories, 10 tags, 7 requests, would delete 4, 0:10 elapsed',
        'progress: 1/2 repositories, 10 tags, 7 requests, would delete 4, 0:20 elapsed',
      ],
    );
    assert.ok(
      terminal.ticks.every((tick) => tick.cancelled),
      'the timer stops with the run',
    );
    assert.equal(terminal.text, '', 'no terminal output');
  });
});

describe('ProgressObserver counts deletions as they are answered (issue 27)', () => {
  it('a repository still deleting does not show "deleted 0"; its summary then replaces the count', async () => {
    const terminal = new FakeTerminal(false);
    const logger = new RecordingLogger();
    const observer = new ProgressObserver(logger, new RequestStats(), terminal);
    const job = aJob({ name: 'clean-dev' });
    await observer.jobStarted({
      job,
      mode: 'manual',
      dryRun: false,
      startedAt: new Date(),
      repositories: 1,
    });
    const answered = { jobName: 'clean-dev', repository: 'team/app', tags: 2 };
    await observer.deletionAnswered(answered);
    await observer.deletionAnswered({ ...answered, tags: 1 });
    terminal.advance(LOG_EVERY_MS);
    await observer.repositoryFinished({
      jobName: 'clean-dev',
      dryRun: false,
      report,
      summary: summary(10, 3),
      finished: 1,
    });
    terminal.advance(LOG_EVERY_MS);
    await observer.jobFinished();
    assert.deepEqual(
      logger.entries.map((entry) => entry.message),
      [
        'progress: 0/1 repositories, 0 tags, 0 requests, deleted 3, 0:10 elapsed',
        'progress: 1/1 repositories, 10 tags, 0 requests, deleted 3, 0:20 elapsed',
      ],
    );
  });
});

describe('ProgressObserver on a terminal', () => {
  it('draws a live line, steps aside for other lines, and wipes it when the run ends', async () => {
    const terminal = new FakeTerminal(true);
    const observer = new ProgressObserver(new RecordingLogger(), new RequestStats(), terminal);
    const out = {
      text: '',
      write(text: string) {
        this.text += text;
      },
    };
    await runJob(observer, () => {
      terminal.lines.write(out, 'a table line\n');
    });
    assert.match(terminal.text, /0\/2 repositories \[-{20}\] ETA \?/);
    assert.match(
      terminal.text,
      /1\/2 repositories \[#{10}-{10}\] ETA 0:\d\d, 0:00 elapsed, 10 tags, 0 requests, would delete 4/,
    );
    assert.equal(out.text, 'a table line\n');
    // The bar's line was cleared (ESC [2K) before the table line went out, then drawn again.
    const cleared = terminal.text.indexOf('\u001b[2K');
    assert.ok(cleared >= 0 && terminal.text.indexOf('1/2 repositories', cleared) > cleared);
    assert.ok(terminal.text.endsWith('\u001b[0J'), JSON.stringify(terminal.text.slice(-40)));
    terminal.lines.write(out, 'after the run\n');
    assert.ok(
      !terminal.text.slice(terminal.text.lastIndexOf('\u001b[0J')).includes('repositories'),
    );
  });

  it('the live line: repositories, bar, ETA once known, then the counts', () => {
    const figures = {
      repositoriesDone: 3,
      repositoriesTotal: 4,
      tags: 1200,
      requests: 2400,
      deleted: 7,
      dryRun: false,
      elapsedMs: 3_723_000,
    };
    assert.equal(
      liveLine(figures, { progress: 0.75, size: 8, etaSeconds: 65 }),
      '3/4 repositories [######--] ETA 1:05, 1:02:03 elapsed, 1200 tags, 2400 requests, deleted 7',
    );
    assert.match(
      liveLine({ ...figures, repositoriesDone: 0 }, { progress: 0, size: 8, etaSeconds: 'INF' }),
      /ETA \?/,
    );
  });
});
