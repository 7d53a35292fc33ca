import { createRequire } from 'node:module';
import type Bottleneck from 'bottleneck';

/** Starts tasks no faster than a set number per second (`max_requests_per_second`). */
export interface RateCeiling {
  schedule<T>(task: () => Promise<T>): Promise<T>;
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
  return {
    schedule: <T>(task: () => Promise<T>): Promise<T> => limiter.schedule(task),
  };
}
