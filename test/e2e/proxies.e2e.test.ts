import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ProxyLogEntry, RunningForwardProxy } from '../../testkit/forward-proxy-process.js';
import { listTags } from '../../testkit/push-image.js';
import { seedStorage } from '../../testkit/fs-seed.js';
import { startRegistry } from '../../testkit/registry-server.js';
import { startSquid } from '../../testkit/squid.js';
import { startTinyproxy } from '../../testkit/tinyproxy.js';
import { createWorkspace, type CliResult, type Workspace } from './cli-harness.js';
import { DAY_MS } from '../../testkit/dates.js';

/**
 * Issue 13: the CLI through the real forward proxies of Debian. tinyproxy answers HTTP/1.1
 * without `Connection: close` and closes every connection after its answer; squid keeps them
 * open. Each: plain HTTP to the registry, and CONNECT to the TLS registry; with and without
 * proxy credentials; the token realm reached through the proxy too. A dry run and a real run of
 * a few hundred repositories end with exit 0, no failed request (no retry, no transport error in
 * --http-logs) and exactly the expected survivors, and the proxy's own log shows the traffic.
 */

const REPOSITORIES = 200;
const CONCURRENCY = 16;
/** A few seconds each on an idle machine; minutes on one busy with other test suites. */
const RUN_TIMEOUT_MS = 300_000;

interface Scenario {
  readonly proxy: 'tinyproxy' | 'squid';
  readonly tls: boolean;
  readonly credentials: boolean;
}

const SCENARIOS: readonly Scenario[] = [
  { proxy: 'tinyproxy', tls: false, credentials: true },
  { proxy: 'tinyproxy', tls: true, credentials: false },
  { proxy: 'squid', tls: false, credentials: false },
  { proxy: 'squid', tls: true, credentials: true },
];

/** One `HTTP request` line of --http-logs. */
interface LoggedRequest {
  readonly method: string;
  readonly url: string;
  readonly status: string;
  readonly retry: number;
}

const LOG_LINE =
  /HTTP request method=(\S+) url=(\S+) status=("[^"]*"|\S+) durationMs=\d+ retry=(\d+)/g;

function loggedRequests(result: CliResult): LoggedRequest[] {
  return [...result.stderr.matchAll(LOG_LINE)].map((match) => ({
    method: match[1] ?? '',
    url: match[2] ?? '',
    status: (match[3] ?? '').replace(/^"|"$/g, ''),
    retry: Number(match[4]),
  }));
}

/**
 * Exit 0 and no failed request: every request answered (an HTTP status) at the first attempt.
 * A request resent at once because the proxy had closed its pooled connection is not a failure;
 * the count is returned so that a test can bound it.
 */
async function assertNoFailedRequest(
  result: CliResult,
  what: string,
  proxy: RunningForwardProxy,
): Promise<{ requests: number; resent: number }> {
  const output = result.stdout + result.stderr;
  assert.equal(result.code, 0, `${what}: ${output.slice(-3000)}`);
  const requests = loggedRequests(result);
  assert.ok(requests.length > REPOSITORIES, `${what}: --http-logs shows the requests`);
  const resent = requests.filter((request) =>
    request.status.endsWith('(stale connection, resent)'),
  );
  const failed = requests.filter(
    (request) =>
      request.retry > 0 || (!/^\d{3}$/.test(request.status) && !resent.includes(request)),
  );
  // Every attempt of a request that needed more than one, for the message.
  const urls = new Set(failed.map((request) => `${request.method} ${request.url}`));
  const attempts = requests.filter((request) => urls.has(`${request.method} ${request.url}`));
  if (attempts.length > 0) {
    // What the proxy answered with, when it says (squid): its 5xx, if any, explain the retries.
    const proxyErrors = (await proxy.accessLog()).filter((entry) => (entry.status ?? 0) >= 500);
    assert.deepEqual(
      { attempts, proxyErrors },
      { attempts: [], proxyErrors: [] },
      `${what}: no request failed or was retried`,
    );
  }
  return { requests: requests.length - resent.length, resent: resent.length };
}

// The scenarios are independent (each its own registry, token server, proxy and workspace), so
// they run at the same time: the file takes about as long as its slowest scenario.
const basic = (user: string, password: string): string =>
  Buffer.from(`${user}:${password}`).toString('base64');

/** The runs' output, and every file they wrote (logs/, cache/...), hold none of `secrets`. */
async function assertNotWritten(
  workspace: Workspace,
  results: readonly CliResult[],
  secrets: readonly string[],
): Promise<void> {
  const texts = results.flatMap((result, index) => [
    { where: `stdout of run ${String(index + 1)}`, text: result.stdout },
    { where: `stderr of run ${String(index + 1)}`, text: result.stderr },
  ]);
  const files = (await readdir(workspace.dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.startsWith(workspace.configDir));
  assert.ok(
    files.some((file) => file.endsWith('cleaner.log')),
    'the log was written',
  );
  for (const file of files) texts.push({ where: file, text: await readFile(file, 'latin1') });
  for (const { where, text } of texts) {
    for (const secret of secrets) {
      assert.ok(!text.includes(secret), `${where} holds a proxy secret (${secret.slice(0, 3)}...)`);
    }
  }
}

describe(
  'through the real forward proxies of Debian (tinyproxy, squid)',
  { concurrency: true },
  () => {
    for (const scenario of SCENARIOS) {
      const transport = scenario.tls ? 'CONNECT to the TLS registry' : 'plain HTTP';
      const auth = scenario.credentials ? 'with proxy credentials' : 'without proxy credentials';
      it(`${scenario.proxy}, ${transport}, ${auth}: dry run and real run, exit 0, no failed request`, async () => {
        const prefix = `${scenario.proxy}-${scenario.tls ? 'tls' : 'http'}`;
        const credentials = scenario.credentials
          ? { username: 'proxy-user', password: randomBytes(12).toString('hex') }
          : undefined;
        const [registry, proxy, workspace] = await Promise.all([
          startRegistry({ auth: 'token', tls: scenario.tls }),
          scenario.proxy === 'tinyproxy' ? startTinyproxy(credentials) : startSquid(credentials),
          createWorkspace(),
        ]);
        try {
          const now = Date.now();
          // v0 and v1 are both old: save_last 1 keeps v0 and deletes v1 in every repository.
          // Written into the registry's storage: pushing them through the API took longer than the
          // runs under test (four requests and a token per image). One v0 and one v1 image in
          // every repository: two config blobs to fetch instead of 400 (requests the proxy does
          // not need to see 400 times to show it forwards them).
          await seedStorage(registry, {
            repositories: REPOSITORIES,
            tagsPerRepository: 2,
            sameImagesInEveryRepository: true,
            repositoryPrefix: `${prefix}/r-`,
            created: (_repository, tag) => new Date(now - (10 + tag) * DAY_MS),
          });
          await workspace.writeConfig({
            'config.yaml': [
              `registry_url: ${registry.url}`,
              'username: "__ENV: REG_USER"',
              'password: "__ENV: REG_PASSWORD"',
              // As in production: the proxy's credentials come from the environment.
              'proxy: "__ENV: REG_PROXY"',
              'timeout: 10',
              `max_concurrent_requests: ${String(CONCURRENCY)}`,
              ...(scenario.tls ? ['ca_file: registry-ca.pem'] : []),
            ].join('\n'),
            'manual.yaml': `
- name: through-proxy
  repositories: ['r/${prefix}/']
  tag_regexps: ['v']
  save_last: 1
  older_than_days: 5
`,
          });
          if (scenario.tls) {
            await copyFile(registry.caFile ?? '', join(workspace.configDir, 'registry-ca.pem'));
          }
          const env = {
            REG_USER: registry.username ?? '',
            REG_PASSWORD: registry.password ?? '',
            REG_PROXY: proxy.url,
          };
          await registry.resetAccessLog();
          const tokensBefore = registry.tokenRequests().length;

          const dry = await workspace.run(['--dry-run', '--http-logs'], env, RUN_TIMEOUT_MS);
          const dryCounts = await assertNoFailedRequest(dry, 'dry run', proxy);
          const real = await workspace.run(['--http-logs'], env, RUN_TIMEOUT_MS);
          const realCounts = await assertNoFailedRequest(real, 'real run', proxy);

          // Before the survivors are listed (directly, not through the proxy).
          const registryRequests = (await registry.accessLog()).length;
          const tokenRequests = registry.tokenRequests().length - tokensBefore;
          const repositories = Array.from({ length: REPOSITORIES }, (_, n) => `${prefix}/r-${n}`);
          const survivors = await Promise.all(repositories.map((name) => listTags(registry, name)));
          assert.deepEqual(new Set(survivors.map((tags) => tags.join(','))), new Set(['v0']));

          // The proxy's own log: every request the registry and the token server saw came through it.
          const realm = registry.tokenRealm ?? '';
          const through = (entries: readonly ProxyLogEntry[], prefixUrl: string): number =>
            entries.filter((entry) => entry.target.startsWith(prefixUrl)).length;
          const tunnels = (entries: readonly ProxyLogEntry[]): number =>
            entries.filter(
              (entry) => entry.method === 'CONNECT' && `https://${entry.target}` === registry.url,
            ).length;
          const log = await proxy.accessLog(
            (entries) =>
              through(entries, realm) >= tokenRequests &&
              (scenario.tls
                ? tunnels(entries) > 0
                : through(entries, `${registry.url}/`) >= registryRequests),
          );
          assert.ok(tokenRequests > 0);
          assert.equal(through(log, realm), tokenRequests, 'token requests went through the proxy');
          if (scenario.tls) {
            assert.ok(tunnels(log) > 0, 'CONNECT tunnels to the registry');
            assert.equal(through(log, registry.url), 0, 'nothing in clear to the TLS registry');
          } else {
            assert.equal(through(log, `${registry.url}/`), registryRequests);
          }
          assert.ok(registryRequests > 2 * REPOSITORIES);
          if (credentials !== undefined) {
            // A wrong proxy password: the proxy's 407 is named, and neither password is written.
            const wrong = randomBytes(12).toString('hex');
            const refused = await workspace.run(
              ['--http-logs'],
              { ...env, REG_PROXY: proxy.url.replace(credentials.password, wrong) },
              RUN_TIMEOUT_MS,
            );
            assert.equal(refused.code, 1, refused.stdout + refused.stderr);
            assert.match(refused.stdout, /proxy answered 407 \(Proxy Authentication Required\)/);
            await assertNotWritten(
              workspace,
              [dry, real, refused],
              [
                credentials.password,
                wrong,
                basic(credentials.username, credentials.password),
                basic(credentials.username, wrong),
              ],
            );
          }
          // Squid keeps connections open: nothing to resend. tinyproxy closes every one of them:
          // once that is seen, no socket goes back to the pool, so only requests sent before can be
          // lost (at most about one per request in flight; without the detection, hundreds).
          const resent = dryCounts.resent + realCounts.resent;
          if (scenario.proxy === 'squid') assert.equal(resent, 0);
          else assert.ok(resent <= 2 * CONCURRENCY, `${String(resent)} requests resent`);
        } finally {
          await Promise.all([workspace.cleanup(), proxy.stop(), registry.stop()]);
        }
      });
    }
  },
);
