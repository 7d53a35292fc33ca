import type { PlannedJob, WatchObserver } from '../../src/application/ports/watch-observer.port.js';

export class RecordingWatchObserver implements WatchObserver {
  readonly starts: { plan: readonly PlannedJob[]; dryRun: boolean; runsStartedBefore: number }[] =
    [];
  /** Every nextRunPlanned call, in order; `at` undefined = cannot be planned. */
  readonly planned: { job: string; at: Date | undefined }[] = [];
  stops = 0;

  /** How many runs had started when the banner came: the banner must come first. */
  constructor(private readonly runsStarted: () => number = () => 0) {}

  watchStarted(plan: readonly PlannedJob[], dryRun: boolean): void {
    this.starts.push({ plan, dryRun, runsStartedBefore: this.runsStarted() });
  }

  nextRunPlanned(jobName: string, at: Date | undefined): void {
    this.planned.push({ job: jobName, at });
  }

  watchStopped(): void {
    this.stops += 1;
  }
}
