import { inject, injectable, multiInject, optional } from 'inversify';
import { messageOf } from './error-message.js';
import { Logger } from './ports/logger.port.js';
import {
  RunObserver,
  type DeletionAnsweredEvent,
  type JobFinishedEvent,
  type JobStartedEvent,
  type RepositoryFinishedEvent,
} from './ports/run-observer.port.js';

/**
 * Hands each run event to every bound RunObserver. An observer that fails is logged and
 * skipped: a broken report file or notification never changes what the cleanup does.
 */
@injectable()
export class RunEvents {
  constructor(
    @multiInject(RunObserver) @optional() private readonly observers: readonly RunObserver[] = [],
    @inject(Logger) private readonly logger: Logger,
  ) {}

  jobStarted(event: JobStartedEvent): Promise<void> {
    return this.each('jobStarted', (observer) => observer.jobStarted(event));
  }

  repositoryFinished(event: RepositoryFinishedEvent): Promise<void> {
    return this.each('repositoryFinished', (observer) => observer.repositoryFinished(event));
  }

  deletionAnswered(event: DeletionAnsweredEvent): Promise<void> {
    return this.each(
      'deletionAnswered',
      (observer) => observer.deletionAnswered?.(event) ?? Promise.resolve(),
    );
  }

  jobFinished(event: JobFinishedEvent): Promise<void> {
    return this.each('jobFinished', (observer) => observer.jobFinished(event));
  }

  private async each(what: string, call: (observer: RunObserver) => Promise<void>): Promise<void> {
    await Promise.all(
      this.observers.map(async (observer) => {
        try {
          await call(observer);
        } catch (error) {
          this.logger.warn('a run observer failed', {
            observer: observer.constructor.name,
            event: what,
            error: messageOf(error),
          });
        }
      }),
    );
  }
}
