// The benchmark's helper processes (the synthetic registry, the latency proxy) are forked with an
// IPC channel: they say { type: 'listening', url } once, then answer { id, type } requests.
import { fork, type ChildProcess } from 'node:child_process';

export interface ForkedServer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly pid: number;
  /** Disconnects (the child then closes its server and exits), killing it after 5 s. */
  stop(): Promise<void>;
}

/** Forks `script` with `args` and waits for its 'listening' message. */
export async function forkServer(
  script: string,
  args: readonly string[],
  what: string,
): Promise<ForkedServer> {
  const child = fork(script, [...args], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`the ${what} exited (${String(code)}) before listening`));
    });
    child.once('message', (message: { type: string; url?: string }) => {
      if (message.type === 'listening' && message.url !== undefined) resolve(message.url);
    });
  });
  return {
    child,
    url,
    pid: child.pid ?? -1,
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

/** Sends { id, type } and resolves with the child's answer carrying the same id. */
export function askChild<M extends object>(
  child: ChildProcess,
  type: string,
  what: string,
): Promise<M> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onMessage = (message: M): void => {
      if ('id' in message && message.id === id) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message);
      }
    };
    const onExit = (): void => {
      child.off('message', onMessage);
      reject(new Error(`the ${what} exited`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ id, type });
  });
}
