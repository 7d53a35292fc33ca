// A test process that starts a registry and never calls stop(): support-lifecycle tests run it
// as a child to prove the registry does not outlive it. Argument: 'exit' (end normally, as a
// test file whose event loop drains) or 'hang' (wait until killed, e.g. by SIGKILL).
import { startRegistry } from '../../testkit/registry-server.js';

const mode = process.argv[2] === 'hang' ? 'hang' : 'exit';
const registry = await startRegistry({ auth: 'token' });
process.stdout.write(
  `${JSON.stringify({ pid: registry.pid, url: registry.url, storageDir: registry.storageDir })}\n`,
);
if (mode === 'hang') setInterval(() => undefined, 60_000);
