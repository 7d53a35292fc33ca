// The benchmark's side of the synthetic registry process (server.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

export async function startSyntheticServer(options: SyntheticOptions): Promise<SyntheticServer> {
  const child = fork(SERVER, [JSON.stringify(options)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`the synthetic registry exited (${String(code)}) before listening`));
    });
    child.once('message', (message: ServerMessage) => {
      if (message.type === 'listening') resolve(message.url);
    });
  });
  const pid = child.pid ?? -1;
  return {
    url,
    pid,
    reset: async () => {
      await ask(child, 'reset');
    },
    stats: async () => {
      const answer = await ask(child, 'stats');
      if (answer.type !== 'stats') throw new Error('the synthetic registry sent no stats');
      return answer.stats;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

let nextId = 1;

function ask(child: ChildProcess, type: ServerRequest['type']): Promise<ServerMessage> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onMessage = (message: ServerMessage): void => {
      if ('id' in message && message.id === id) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message);
      }
    };
    const onExit = (): void => {
      child.off('message', onMessage);
      reject(new Error('the synthetic registry exited'));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ id, type } satisfies ServerRequest);
  });
}
