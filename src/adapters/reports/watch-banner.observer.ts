import { resolve } from 'node:path';
import { inject, injectable } from 'inversify';
import type { PlannedJob, WatchObserver } from '../../application/ports/watch-observer.port.js';
import { formatHours, formatInstant } from '../../domain/describe-time.js';
import type { Job } from '../../domain/job.js';
import type { NextRun } from '../../domain/schedule.js';
import { RegistryAddress } from '../shared/registry-address.js';
import { StateDir } from '../shared/files/state-dir.js';
import { packageVersion } from '../shared/version.js';
import { ReportStream, type TextSink } from './console-table.observer.js';

const WHY_NOW: Record<Extract<NextRun, { kind: 'now' }>['reason'], string> = {
  'never-run': 'never run for real',
  'last-failed': 'the last run failed',
  'interval-passed': 'due',
  retry: 'retry after a failure',
  'cron-fired': 'due',
};

/**
 * The `--watch` start-up banner (issue 15): version, registry, state folder, and each job with
 * its next run, so that an operator reading the container log sees at once what runs when.
 * The registry is shown as its origin only: a URL's userinfo never reaches the output.
 */
@injectable()
export class ConsoleWatchBanner implements WatchObserver {
  constructor(
    @inject(ReportStream) private readonly out: TextSink,
    @inject(RegistryAddress) private readonly registry: RegistryAddress,
    @inject(StateDir) private readonly stateDir: string,
  ) {}

  watchStarted(plan: readonly PlannedJob[], dryRun: boolean): void {
    const width = Math.max(0, ...plan.map(({ job }) => job.name.length));
    const cadenceWidth = Math.max(0, ...plan.map(({ job }) => cadence(job).length));
    const lines = [
      `reg-cleaner ${packageVersion()} watch mode${dryRun ? ' (dry run: nothing is deleted)' : ''}`,
      `  registry  ${origin(this.registry.url)}`,
      ...(this.registry.credentialsFrom === undefined
        ? []
        : [`  login     ${this.registry.credentialsFrom}`]),
      `  state     ${resolve(this.stateDir)}`,
      `  jobs      ${String(plan.length)}`,
      ...plan.map(
        ({ job, next }) =>
          `    ${job.name.padEnd(width)}  ${cadence(job).padEnd(cadenceWidth)}  ${describe(next)}`,
      ),
    ];
    this.out.write(`${lines.join('\n')}\n`);
  }

  /** Later plans go to the log ("next run scheduled"); the banner is printed once. */
  nextRunPlanned(): void {
    // Nothing to print.
  }

  watchStopped(): void {
    // Nothing to print: the log says "watch mode stopped".
  }
}

function cadence(job: Job): string {
  return job.schedule === undefined
    ? `every ${formatHours(job.cleanEveryHours)}`
    : `cron ${job.schedule}`;
}

function describe(next: NextRun): string {
  switch (next.kind) {
    case 'now':
      return `next run now (${WHY_NOW[next.reason]})`;
    case 'at':
      // Whole seconds, rounded up: never a time before the run.
      return `next run ${formatInstant(new Date(Math.ceil(next.at.getTime() / 1000) * 1000))}`;
    case 'never':
      return 'cannot be planned: the cron expression has no next firing';
  }
}

/** scheme://host[:port]: no userinfo, path or query, whatever registry_url holds. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(unparseable URL)';
  }
}
