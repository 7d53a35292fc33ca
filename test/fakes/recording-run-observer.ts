import type {
  DeletionAnsweredEvent,
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
  /** Kept apart from `events`: "repository:deletion" pairs, in the order they were answered. */
  readonly answered: string[] = [];

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

  deletionAnswered(event: DeletionAnsweredEvent): Promise<void> {
    // A deletion is answered before its repository is reported finished.
    this.answered.push(
      `${event.repository}:${String(event.tags)} tag(s) after ${String(this.repositories.length)} finished`,
    );
    return Promise.resolve();
  }

  jobFinished(event: JobFinishedEvent): Promise<void> {
    this.events.push('finished');
    this.finished.push(event.report);
    return Promise.resolve();
  }
}
