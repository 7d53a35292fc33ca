import { readFileSync } from 'node:fs';
import { chown, mkdtemp, readdir, writeFile } from 'node:fs/promises';
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
import { writeHtpasswd } from './htpasswd.js';

const SQUID_BINARY = proxyBinary(process.env['REG_CLEANER_SQUID_BIN'], '/usr/sbin/squid');
/** Debian's squid package ships its helpers here. */
const NCSA_AUTH = '/usr/lib/squid/basic_ncsa_auth';
/** The account Debian's squid runs as; squid refuses to run as root. */
const SQUID_USER = 'proxy';

// "1700000000.123     12 127.0.0.1 TCP_MISS/200 227 GET http://h:1/v2/ user HIER_DIRECT/h -"
function parseLog(text: string): ProxyLogEntry[] {
  const entries: ProxyLogEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const [, , , result, , method, target] = fields;
    if (result === undefined || method === undefined || target === undefined) continue;
    const status = Number(result.slice(result.indexOf('/') + 1));
    entries.push({ method, target, status: Number.isInteger(status) ? status : undefined });
  }
  return entries;
}

function userIds(name: string): { uid: number; gid: number } | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/**
 * Starts Debian's squid (5.x) on 127.0.0.1 as a plain forwarding proxy (no cache): it keeps
 * client connections open between requests, unlike tinyproxy. With credentials, it demands them
 * through basic_ncsa_auth and an htpasswd file (bcrypt, which the helper accepts).
 */
export async function startSquid(
  credentials?: ForwardProxyCredentials,
): Promise<RunningForwardProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'reg-cleaner-squid-'));
  const owner = process.getuid?.() === 0 ? userIds(SQUID_USER) : undefined;
  const flavour: ProxyFlavour = {
    name: 'squid',
    binary: SQUID_BINARY,
    ...(owner === undefined ? {} : { user: SQUID_USER }),
    startupLog: join(dir, 'cache.log'),
    ready: /Accepting HTTP Socket connections at/,
    addressInUse: /Cannot bind socket|Address already in use/,
    accessLogFile: join(dir, 'access.log'),
    parseAccessLog: parseLog,
    async prepare(folder, port) {
      const passwords = join(folder, 'htpasswd');
      const access =
        credentials === undefined
          ? ['http_access allow test_clients']
          : [
              `auth_param basic program ${NCSA_AUTH} ${passwords}`,
              'auth_param basic realm reg-cleaner test proxy',
              'acl authenticated proxy_auth REQUIRED',
              'http_access allow test_clients authenticated',
            ];
      const configFile = join(folder, 'squid.conf');
      await writeFile(
        configFile,
        [
          `http_port 127.0.0.1:${String(port)}`,
          `pid_filename ${join(folder, 'squid.pid')}`,
          `access_log stdio:${join(folder, 'access.log')}`,
          `cache_log ${join(folder, 'cache.log')}`,
          'cache_store_log none',
          'netdb_filename none',
          `coredump_dir ${folder}`,
          'pinger_enable off',
          'max_filedescriptors 1024',
          // A forwarder, not a cache: every request reaches the registry, as the tests count.
          'cache deny all',
          'cache_mem 8 MB',
          'visible_hostname reg-cleaner-test-proxy',
          // SIGTERM ends it at once instead of waiting 30 s for clients.
          'shutdown_lifetime 0 seconds',
          // Close idle connections to servers before they do: the test token server closes
          // them after 5 s, and a proxy that reuses one as it closes may answer 502.
          'server_idle_pconn_timeout 2 seconds',
          'acl test_clients src 127.0.0.1',
          ...access,
          'http_access deny all',
          '',
        ].join('\n'),
      );
      if (credentials !== undefined) {
        await writeHtpasswd(passwords, credentials.username, credentials.password);
      }
      if (owner !== undefined) {
        await chown(folder, owner.uid, owner.gid);
        for (const name of await readdir(folder)) {
          await chown(join(folder, name), owner.uid, owner.gid);
        }
      }
      // -N: no daemon, in the foreground, so that the test owns the process.
      return ['-N', '-f', configFile];
    },
  };
  return startForwardProxy(flavour, dir, credentials);
}
