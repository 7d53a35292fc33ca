import { inject, injectable } from 'inversify';
import { DeletionJournal } from '../../application/ports/deletion-journal.port.js';
import type { JobStartedEvent, RunObserver } from '../../application/ports/run-observer.port.js';

/**
 * Each real run of a job drops that job's journals older than `journal_keep_days`, whether or
 * not the run deletes anything, so that retention does not wait for the next deletion.
 */
@injectable()
export class JournalRetentionObserver implements RunObserver {
  constructor(@inject(DeletionJournal) private readonly journal: DeletionJournal) {}

  async jobStarted(event: JobStartedEvent): Promise<void> {
    if (!event.dryRun) await this.journal.prune(event.job.name, event.startedAt);
  }

  repositoryFinished(): Promise<void> {
    return Promise.resolve();
  }

  jobFinished(): Promise<void> {
    return Promise.resolve();
  }
}
