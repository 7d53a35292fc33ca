import { createRequire } from 'node:module';
import type Bottleneck from 'bottleneck';

/** Starts tasks no faster than a set number per second (`max_requests_per_second`). */
export interface RateCeiling {
  schedule<T>(task: () => Promise<T>): Promise<T>;
  /**
   * Shutdown: every task still waiting for its start time is rejected with `error` and never
   * runs, and so is every task scheduled later. Tasks already started are not touched.
   */
  stop(error: Error): void;
}

/**
 * The rate ceiling over Bottleneck, which is built for exactly this: `minTime` spaces the starts
 * of tasks evenly, so a burst never exceeds the ceiling either. Concurrency is not its job here
 * (the request gate bounds it), so it is unlimited.
 */
export function bottleneckRateCeiling(requestsPerSecond: number): RateCeiling {
  // Loaded here: only a config with max_requests_per_second needs it (about 15 ms of CPU at
  // every start otherwise, issue 9).
  const BottleneckClass = createRequire(import.meta.url)('bottleneck') as typeof Bottleneck;
  const limiter = new BottleneckClass({ maxConcurrent: null, minTime: 1000 / requestsPerSecond });
  let stopped: Error | undefined;
  return {
    schedule: <T>(task: () => Promise<T>): Promise<T> => {
      if (stopped !== undefined) return Promise.reject(stopped);
      return limiter.schedule(task).catch((error: unknown) => {
        // Bottleneck rejects the tasks it dropped with its own error: say why they were.
        throw stopped !== undefined && error instanceof BottleneckClass.BottleneckError
          ? stopped
          : error;
      });
    },
    stop: (error: Error): void => {
      if (stopped !== undefined) return;
      stopped = error;
      // Without this, the queue drains at the ceiling's pace (4 a second: minutes for a few
      // hundred requests), each task refused only when its start time comes.
      void limiter.stop({ dropWaitingJobs: true });
    },
  };
}
