import type { DeliveryTiming } from '../../src/adapters/notify/delivery.js';

/** Delivery timing that records the backoff waits instead of waiting them. */
export function instantTiming(attemptTimeoutMs = 10_000): DeliveryTiming & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    attemptTimeoutMs,
    random: () => 0.5,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  };
}
