// The practical limit: a bare node:http client with a keep-alive agent sends exactly the floor's
// request list at the same concurrency, nothing else (no auth, retries, parsing or logging).
// Run as its own process, like the cleaner: node build/bench/bare-client.js REQUESTS.json
import http from 'node:http';
import { readFileSync } from 'node:fs';

interface BareInput {
  readonly baseUrl: string;
  readonly concurrency: number;
  readonly requests: readonly { readonly method: string; readonly path: string }[];
}

export interface BareOutput {
  readonly requestMs: number;
  readonly statuses: Record<string, number>;
}

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

async function main(file: string): Promise<void> {
  const input = JSON.parse(readFileSync(file, 'utf8')) as BareInput;
  const agent = new http.Agent({ keepAlive: true, maxSockets: input.concurrency });
  const statuses: Record<string, number> = {};
  const send = (method: string, path: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const headers = path.includes('/manifests/') ? { accept: ACCEPT } : {};
      const request = http.request(
        `${input.baseUrl}${path}`,
        { method, agent, headers },
        (response) => {
          const key = String(response.statusCode ?? 0);
          statuses[key] = (statuses[key] ?? 0) + 1;
          response.on('data', () => undefined);
          response.on('end', resolve);
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end();
    });
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < input.requests.length; index = next++) {
      const request = input.requests[index];
      if (request !== undefined) await send(request.method, request.path);
    }
  };
  await Promise.all(Array.from({ length: input.concurrency }, worker));
  const output: BareOutput = { requestMs: performance.now() - started, statuses };
  agent.destroy();
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: bare-client.js REQUESTS.json\n');
  process.exitCode = 2;
} else {
  await main(file);
}
