// The synthetic registry as its own process, so that its CPU is not the cleaner's and the
// benchmark's: `fork('build/bench/synthetic/server.js', [OPTIONS_JSON])`. It listens on
// 127.0.0.1 (port 0), sends { type: 'listening', url }, then answers { id, type: 'reset' }
// and { id, type: 'stats' } on the IPC channel. It exits when its parent goes away.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SyntheticModel, type SyntheticOptions } from './model.js';
import { SyntheticRegistry, type SyntheticCounters } from './registry.js';

export interface ServerStats extends SyntheticCounters {
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly maxRssBytes: number;
  readonly heapUsedBytes: number;
  readonly bitSetBytes: number;
  readonly indexedRepositories: number;
}

export type ServerRequest = { readonly id: number; readonly type: 'reset' | 'stats' };
export type ServerMessage =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly id: number; readonly type: 'reset' }
  | { readonly id: number; readonly type: 'stats'; readonly stats: ServerStats };

function main(): void {
  const send = process.send?.bind(process);
  const argument = process.argv[2];
  if (send === undefined || argument === undefined) {
    process.stderr.write('start me with child_process.fork(server.js, [OPTIONS_JSON])\n');
    process.exitCode = 2;
    return;
  }
  const registry = new SyntheticRegistry(
    new SyntheticModel(JSON.parse(argument) as SyntheticOptions),
  );
  const server = createServer({ keepAlive: true }, registry.handle);
  // The cleaner keeps its connections for the whole run; idle pauses must not close them.
  server.on('connection', registry.connected);
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  process.on('message', (message: ServerRequest) => {
    if (message.type === 'reset') {
      registry.reset();
      send({ id: message.id, type: 'reset' } satisfies ServerMessage);
      return;
    }
    const usage = process.resourceUsage();
    const stats: ServerStats = {
      ...registry.counters(),
      ...registry.footprint(),
      cpuUserMs: Math.round(usage.userCPUTime / 1000),
      cpuSystemMs: Math.round(usage.systemCPUTime / 1000),
      maxRssBytes: usage.maxRSS * 1024,
      heapUsedBytes: process.memoryUsage().heapUsed,
    };
    send({ id: message.id, type: 'stats', stats } satisfies ServerMessage);
  });
  process.on('disconnect', () => {
    server.close();
    server.closeAllConnections();
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    send({ type: 'listening', url: `http://127.0.0.1:${String(port)}` } satisfies ServerMessage);
  });
}

main();
