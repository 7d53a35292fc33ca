// Issue 13, "Done when": three consecutive real runs through Debian's tinyproxy of two jobs over
// 1,050 repositories with token auth end with exit 0, and --http-logs shows no request retried
// with backoff because of a reset (a request lost to a closed pooled connection is resent at
// once instead). Not a CI test: it takes minutes. Usage, after `npm run build` and
// `npx tsc -p bench/tsconfig.json`:
//   node build/bench/tinyproxy-soak.js [--repositories 1050] [--runs 3] [--proxy squid] [--cli dist/main.js]
// `--cli` runs another build (e.g. one from before the fix) against the same scenario; `--proxy
// squid` the same runs through squid, which keeps connections open. The repositories are written
// into the registry's storage (testkit/fs-seed.ts): the subject is the runs, and an API push
// of 4,200 images took minutes.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { listTags } from '../testkit/push-image.js';
import { startRegistry } from '../testkit/registry-server.js';
import { seedStorage } from '../testkit/fs-seed.js';
import { startSquid } from '../testkit/squid.js';
import { startTinyproxy } from '../testkit/tinyproxy.js';
import { DAY_MS } from '../testkit/dates.js';

const TAGS = 4;

interface RunFigures {
  readonly run: number;
  readonly exitCode: number | null;
  readonly seconds: number;
  /** Requests sent (a resent one counts once), token requests included. */
  readonly requests: number;
  /** Requests lost to a pooled connection the proxy had closed, and sent again at once. */
  readonly resent: number;
  /** Requests that ended in a transport error and went to the retry loop (with backoff). */
  readonly failedAttempts: number;
  readonly retried: number;
  readonly proxyRequests: number;
}

const LOG_LINE = /HTTP request method=\S+ url=\S+ status=("[^"]*"|\S+) durationMs=\d+ retry=(\d+)/g;

function runCli(
  cli: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, '--http-logs'], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => {
      done({ code, stdout, stderr });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      repositories: { type: 'string', default: '1050' },
      runs: { type: 'string', default: '3' },
      cli: { type: 'string', default: 'dist/main.js' },
      proxy: { type: 'string', default: 'tinyproxy' },
    },
  });
  const repositories = Number(values.repositories);
  const runs = Math.min(Number(values.runs), TAGS - 1);
  const cli = resolve(values.cli);
  const half = Math.ceil(repositories / 2);

  if (values.proxy !== 'tinyproxy' && values.proxy !== 'squid') {
    throw new Error(`--proxy tinyproxy|squid, not ${values.proxy}`);
  }
  const registry = await startRegistry({ auth: 'token' });
  const proxy = values.proxy === 'squid' ? await startSquid() : await startTinyproxy();
  const dir = await mkdtemp(join(tmpdir(), 'reg-cleaner-soak-'));
  try {
    const seedStarted = Date.now();
    const now = Date.now();
    // v0..v3, all old; run n keeps the TAGS - n newest, so each run deletes one tag per repository.
    for (const [prefix, count] of [
      ['bulk-a-', half],
      ['bulk-b-', repositories - half],
    ] as const) {
      await seedStorage(registry, {
        repositories: count,
        tagsPerRepository: TAGS,
        repositoryPrefix: prefix,
        created: (_repository, tag) => new Date(now - (10 + tag) * DAY_MS),
      });
    }
    console.log(
      `seeded ${String(repositories)} x ${String(TAGS)} tags in ${String(Math.round((Date.now() - seedStarted) / 1000))} s`,
    );
    await mkdir(join(dir, 'config'));
    const env = {
      REG_USER: registry.username ?? '',
      REG_PASSWORD: registry.password ?? '',
      REG_PROXY: proxy.url,
    };
    const figures: RunFigures[] = [];
    for (let run = 1; run <= runs; run++) {
      await writeFile(
        join(dir, 'config', 'config.yaml'),
        [
          `registry_url: ${registry.url}`,
          'username: "__ENV: REG_USER"',
          'password: "__ENV: REG_PASSWORD"',
          'proxy: "__ENV: REG_PROXY"',
        ].join('\n'),
      );
      const job = (name: string, prefix: string): string => `
- name: ${name}
  repositories: ['r/${prefix}/']
  tag_regexps: ['v']
  save_last: ${String(TAGS - run)}
  older_than_days: 5
`;
      await writeFile(
        join(dir, 'config', 'manual.yaml'),
        job('bulk-a', 'bulk-a-') + job('bulk-b', 'bulk-b-'),
      );
      const proxyBefore = (await proxy.accessLog()).length;
      const started = Date.now();
      const result = await runCli(cli, dir, env);
      const seconds = (Date.now() - started) / 1000;
      const lines = [...result.stderr.matchAll(LOG_LINE)].map((match) => ({
        status: (match[1] ?? '').replace(/^"|"$/g, ''),
        retry: Number(match[2]),
      }));
      const resent = lines.filter((line) => line.status.endsWith('resent)')).length;
      const failedAttempts = lines.filter(
        (line) => !/^\d{3}$/.test(line.status) && !line.status.endsWith('resent)'),
      ).length;
      const statuses = new Map<string, number>();
      for (const line of lines) statuses.set(line.status, (statuses.get(line.status) ?? 0) + 1);
      figures.push({
        run,
        exitCode: result.code,
        seconds,
        requests: lines.length - resent,
        resent,
        failedAttempts,
        retried: lines.filter((line) => line.retry > 0).length,
        proxyRequests: (await proxy.accessLog()).length - proxyBefore,
      });
      console.log(JSON.stringify({ ...figures.at(-1), statuses: Object.fromEntries(statuses) }));
      if (result.code !== 0) console.log(result.stdout.slice(-2000), result.stderr.slice(-2000));
    }
    // Every repository keeps its TAGS - runs newest tags (v0 is the newest).
    const expected = Array.from({ length: TAGS - runs }, (_, tag) => `v${String(tag)}`).join(',');
    const names = [
      ...Array.from({ length: half }, (_, n) => `bulk-a-${String(n)}`),
      ...Array.from({ length: repositories - half }, (_, n) => `bulk-b-${String(n)}`),
    ];
    let wrong = 0;
    for (let start = 0; start < names.length; start += 50) {
      const tags = await Promise.all(
        names.slice(start, start + 50).map((name) => listTags(registry, name)),
      );
      wrong += tags.filter((list) => list.sort().join(',') !== expected).length;
    }
    console.log(
      `after ${String(runs)} runs: ${String(names.length - wrong)} of ${String(names.length)} repositories hold exactly ${expected}`,
    );
    console.table(figures);
  } finally {
    await proxy.stop();
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
