import { ContainerModule } from 'inversify';
import { Scheduler } from '../application/ports/scheduler.port.js';
import { WatchObserver } from '../application/ports/watch-observer.port.js';

/** What only --watch needs; node-schedule and cron-parser are loaded only by this mode. */
export async function watchModule(): Promise<ContainerModule> {
  const [{ NodeScheduleScheduler }, { ConsoleWatchBanner }] = await Promise.all([
    import('../adapters/scheduling/node-schedule-scheduler.adapter.js'),
    import('../adapters/reports/watch-banner.observer.js'),
  ]);
  return new ContainerModule(({ bind }) => {
    bind(Scheduler).to(NodeScheduleScheduler).inSingletonScope();
    bind(WatchObserver).to(ConsoleWatchBanner).inSingletonScope();
  });
}
