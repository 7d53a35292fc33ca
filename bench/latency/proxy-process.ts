// The benchmark's side of the latency proxy (proxy.ts).
import { fileURLToPath } from 'node:url';
import { askChild, forkServer } from '../child-ipc.js';
import type { ProxyMessage, ProxyStats } from './proxy.js';

export interface LatencyProxy {
  readonly url: string;
  readonly delayMs: number;
  /** Zeroes the counters and the in-flight sampler: call it right before a run. */
  reset(): Promise<void>;
  stats(): Promise<ProxyStats>;
  stop(): Promise<void>;
}

const PROXY = fileURLToPath(new URL('./proxy.js', import.meta.url));
const WHAT = 'latency proxy';

export async function startLatencyProxy(upstream: string, delayMs: number): Promise<LatencyProxy> {
  const server = await forkServer(PROXY, [upstream, String(delayMs)], WHAT);
  return {
    url: server.url,
    delayMs,
    reset: async () => {
      await askChild<ProxyMessage>(server.child, 'reset', WHAT);
    },
    stats: async () => {
      const answer = await askChild<ProxyMessage>(server.child, 'stats', WHAT);
      if (answer.type !== 'stats') throw new Error('the latency proxy sent no stats');
      return answer.stats;
    },
    stop: () => server.stop(),
  };
}
