// The benchmark's side of the synthetic registry process (server.ts).
import { fileURLToPath } from 'node:url';
import { askChild, forkServer } from '../child-ipc.js';
import type { SyntheticOptions } from './model.js';
import type { ServerMessage, ServerRequest, ServerStats } from './server.js';

export interface SyntheticServer {
  readonly url: string;
  readonly pid: number;
  /** Zeroes the request counters and duplicate tracking (deletions are kept). */
  reset(): Promise<void>;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

const SERVER = fileURLToPath(new URL('./server.js', import.meta.url));
const WHAT = 'synthetic registry';

export async function startSyntheticServer(options: SyntheticOptions): Promise<SyntheticServer> {
  const server = await forkServer(SERVER, [JSON.stringify(options)], WHAT);
  const ask = (type: ServerRequest['type']): Promise<ServerMessage> =>
    askChild<ServerMessage>(server.child, type, WHAT);
  return {
    url: server.url,
    pid: server.pid,
    reset: async () => {
      await ask('reset');
    },
    stats: async () => {
      const answer = await ask('stats');
      if (answer.type !== 'stats') throw new Error('the synthetic registry sent no stats');
      return answer.stats;
    },
    stop: () => server.stop(),
  };
}
