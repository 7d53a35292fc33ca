import Bottleneck from 'bottleneck';

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
  const limiter = new Bottleneck({ maxConcurrent: null, minTime: 1000 / requestsPerSecond });
  return {
    schedule: <T>(task: () => Promise<T>): Promise<T> => limiter.schedule(task),
  };
}
