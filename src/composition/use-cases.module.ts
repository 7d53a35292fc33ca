import { ContainerModule } from 'inversify';
import { RestoreJobs } from '../application/restore-jobs.use-case.js';
import { RunJob } from '../application/run-job.use-case.js';
import { RunJobs } from '../application/run-jobs.use-case.js';
import { RunManualJobs } from '../application/run-manual-jobs.use-case.js';
import { TestNotifications } from '../application/test-notifications.use-case.js';
import { WatchJobs } from '../application/watch-jobs.use-case.js';

/** The use cases, one of each for the process. */
export const useCasesModule = new ContainerModule(({ bind }) => {
  bind(RunJob).toSelf().inSingletonScope();
  bind(RunJobs).toSelf().inSingletonScope();
  bind(RunManualJobs).toSelf().inSingletonScope();
  bind(WatchJobs).toSelf().inSingletonScope();
  bind(RestoreJobs).toSelf().inSingletonScope();
  bind(TestNotifications).toSelf().inSingletonScope();
});
