import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  proxyBinary,
  startForwardProxy,
  type ForwardProxyCredentials,
  type ProxyFlavour,
  type ProxyLogEntry,
  type RunningForwardProxy,
} from './forward-proxy-process.js';

const TINYPROXY_BINARY = proxyBinary(
  process.env['REG_CLEANER_TINYPROXY_BIN'],
  '/usr/bin/tinyproxy',
);

// "CONNECT   Nov 30 10:36:24.423 [6961]: Request (file descriptor 5): GET http://h:1/v2/ HTTP/1.1"
const REQUEST_LINE = /: Request \(file descriptor \d+\): ([A-Z]+) (\S+) HTTP\/1\.[01]$/;

function parseLog(text: string): ProxyLogEntry[] {
  const entries: ProxyLogEntry[] = [];
  for (const line of text.split('\n')) {
    const match = REQUEST_LINE.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) {
      entries.push({ method: match[1], target: match[2], status: undefined });
    }
  }
  return entries;
}

/**
 * Starts Debian's tinyproxy (1.11) on 127.0.0.1, as its package configures it apart from paths
 * and port: it answers HTTP/1.1 without `Connection: close` and closes the connection after
 * every answer, the behaviour of issue 13. With credentials, it demands them (BasicAuth).
 */
export async function startTinyproxy(
  credentials?: ForwardProxyCredentials,
): Promise<RunningForwardProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'reg-cleaner-tinyproxy-'));
  const logFile = join(dir, 'tinyproxy.log');
  const flavour: ProxyFlavour = {
    name: 'tinyproxy',
    binary: TINYPROXY_BINARY,
    startupLog: logFile,
    ready: /Starting main loop/,
    addressInUse: /Could not create listening sockets|Address already in use/,
    accessLogFile: logFile,
    parseAccessLog: parseLog,
    async prepare(folder, port) {
      const configFile = join(folder, 'tinyproxy.conf');
      await writeFile(
        configFile,
        [
          `Port ${String(port)}`,
          'Listen 127.0.0.1',
          'Timeout 600',
          `LogFile "${logFile}"`,
          // Info: one line per request (and per CONNECT), and the "Starting main loop" line.
          'LogLevel Info',
          `PidFile "${join(folder, 'tinyproxy.pid')}"`,
          'MaxClients 100',
          'Allow 127.0.0.1',
          'ViaProxyName "tinyproxy"',
          ...(credentials === undefined
            ? []
            : [`BasicAuth ${credentials.username} ${credentials.password}`]),
          '',
        ].join('\n'),
      );
      // -d: stay in the foreground, so that the test owns the process.
      return ['-d', '-c', configFile];
    },
  };
  return startForwardProxy(flavour, dir, credentials);
}
