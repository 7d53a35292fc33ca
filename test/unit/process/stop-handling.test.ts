import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  installStopHandling,
  type OpenJobs,
  type StopHandling,
} from '../../../src/adapters/process/stop-handling.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';

const AT = new Date('2026-06-01T10:00:00Z');

/** The state files as stopping sees them: jobs open, and the lines written at a forced exit. */
class OpenJobsRecord implements OpenJobs {
  readonly ended: string[] = [];
  constructor(private open: string[]) {}
  openJobs(): readonly string[] {
    return this.open;
  }
  endOpenJobsNow(at: Date, why: string): void {
    for (const job of this.open) this.ended.push(`${at.toISOString()} ${job} ${why}`);
    this.open = [];
  }
}

describe('stop handling (SIGINT/SIGTERM in the CLI)', () => {
  let handling: StopHandling | undefined;
  afterEach(() => {
    handling?.shutdown.dispose();
  });

  function install(watch: boolean, open: string[]) {
    const exits: number[] = [];
    const lines: string[] = [];
    const releases: string[] = [];
    const jobs = new OpenJobsRecord(open);
    const logger = new RecordingLogger();
    handling = installStopHandling({
      watch,
      interruptedExitCode: (signal) => (signal === 'SIGINT' ? 130 : 143),
      logger,
      lock: { release: () => releases.push('released') },
      graceMs: 60_000,
      now: () => AT,
      write: (line) => lines.push(line),
      exit: (code) => exits.push(code),
    });
    handling.follow(jobs);
    return { handling, exits, lines, releases, jobs, logger };
  }

  it('a second signal: one line, the open jobs ended in history.log, the lock released, exit', () => {
    const { exits, lines, releases, jobs, logger } = install(false, ['clean-dev']);
    process.emit('SIGINT', 'SIGINT');
    assert.deepEqual(exits, []);
    assert.match(logger.text(), /SIGINT received: finishing the requests in flight/);
    process.emit('SIGINT', 'SIGINT');
    assert.deepEqual(exits, [130]);
    assert.deepEqual(lines, ['reg-cleaner: second SIGINT: exiting now; interrupted: clean-dev\n']);
    assert.deepEqual(jobs.ended, [`${AT.toISOString()} clean-dev second SIGINT: exited at once`]);
    assert.deepEqual(releases, ['released']);
  });

  it('one-shot runs exit 130 or 143 after a signal', () => {
    const { handling: installed } = install(false, []);
    assert.equal(installed.exitCode('SIGINT'), 130);
    assert.equal(installed.exitCode('SIGTERM'), 143);
  });

  it('a watch that was idle at the signal exits 0', () => {
    const { handling: installed, exits } = install(true, []);
    process.emit('SIGTERM', 'SIGTERM');
    assert.equal(installed.exitCode('SIGTERM'), 0);
    process.emit('SIGTERM', 'SIGTERM');
    assert.deepEqual(exits, [0]);
  });

  it('a watch in the middle of a job at the signal exits 143', () => {
    const { handling: installed } = install(true, ['clean-dev']);
    process.emit('SIGTERM', 'SIGTERM');
    assert.equal(installed.exitCode('SIGTERM'), 143);
  });
});
