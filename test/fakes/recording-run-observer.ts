import type {
  JobFinishedEvent,
  JobStartedEvent,
  RepositoryFinishedEvent,
  RunObserver,
} from '../../src/application/ports/run-observer.port.js';
import type { JobReport, RepositoryReport } from '../../src/domain/job-report.js';

/** Keeps every run event, in order, for assertions. */
export class RecordingRunObserver implements RunObserver {
  readonly events: ('started' | 'repository' | 'finished')[] = [];
  readonly started: JobStartedEvent[] = [];
  readonly repositories: RepositoryReport[] = [];
  readonly finished: JobReport[] = [];

  jobStarted(event: JobStartedEvent): Promise<void> {
    this.events.push('started');
    this.started.push(event);
    return Promise.resolve();
  }

  repositoryFinished(event: RepositoryFinishedEvent): Promise<void> {
    this.events.push('repository');
    this.repositories.push(event.report);
    return Promise.resolve();
  }

  jobFinished(event: JobFinishedEvent): Promise<void> {
    this.events.push('finished');
    this.finished.push(event.report);
    return Promise.resolve();
  }
}
