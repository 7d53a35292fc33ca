import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  startFaultProxy,
  startForeignHost,
  startForwardProxy,
  type FaultRule,
} from '../support/fault-proxy.js';
import { installHelper } from '../support/credential-helpers.js';
import { listTags, pushImage } from '../../testkit/push-image.js';
import {
  startRegistry,
  type RunningRegistry,
  type StartRegistryOptions,
} from '../../testkit/registry-server.js';
import { createWorkspace, type CliResult, type Workspace } from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

/**
 * Secrets: every mode (--debug, real, --watch, --http-logs, refused credentials, refused delete
 * scope, 403, a proxy with credentials in its URL) is run with known credentials; stdout, stderr,
 * logs/ and cache/ (state, history, caches) are searched for the passwords, their Basic
 * encodings and anything that looks like an Authorization value or a token: none may appear.
 * And Authorization never reaches another host than the registry's: a foreign host standing in
 * for object storage records what it receives.
 */

const MANUAL = `
- name: clean
  repositories: [team/app]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
`;
const JOBS = `
- name: clean-watched
  repositories: [team/app]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
  clean_every_n_hours: 24
`;

const basic = (user: string, password: string): string =>
  Buffer.from(`${user}:${password}`).toString('base64');

/** Patterns of credential-bearing text that must never be written anywhere. */
const LEAKS: readonly (readonly [string, RegExp])[] = [
  ['a JWT', /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/],
  ['three base64url segments', /[A-Za-z0-9_-]{12,}\.[A-Za-z0-9_-]{12,}\.[A-Za-z0-9_-]{12,}/],
  [
    'a Bearer value',
    /\bBearer\s+(?!\*\*\*|realm\b|token\b|tokens\b|auth\b|challenge\b)[A-Za-z0-9._~+/=-]{6,}/i,
  ],
  ['a Basic value', /\bBasic\s+(?!\*\*\*|realm\b|auth\b)[A-Za-z0-9+/]{8,}={0,2}/i],
  ['an Authorization value', /\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?!\*\*\*)[^\s"',}]/i],
];

interface Secrets {
  readonly values: readonly string[];
}

async function filesUnder(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) files.push(...(await filesUnder(path)));
    else files.push(path);
  }
  return files;
}

/** Everything the runs wrote: their output, logs/, cache/ and reports/. */
async function everythingWritten(
  workspace: Workspace,
  results: readonly CliResult[],
): Promise<{ where: string; text: string }[]> {
  const texts = results.flatMap((result, index) => [
    { where: `stdout of run ${String(index + 1)}`, text: result.stdout },
    { where: `stderr of run ${String(index + 1)}`, text: result.stderr },
  ]);
  const files = [
    ...(await filesUnder(join(workspace.dir, 'logs'))),
    ...(await filesUnder(join(workspace.dir, 'cache'))),
    ...(await filesUnder(join(workspace.dir, 'reports'))),
  ];
  assert.ok(
    files.some((file) => file.endsWith('cleaner.log')),
    'the log was written',
  );
  assert.ok(
    files.some((file) => file.endsWith('.html')),
    'a report was written',
  );
  for (const file of files) texts.push({ where: file, text: await readFile(file, 'latin1') });
  return texts;
}

async function assertNoSecrets(
  workspace: Workspace,
  results: readonly CliResult[],
  secrets: Secrets,
): Promise<void> {
  for (const { where, text } of await everythingWritten(workspace, results)) {
    for (const value of secrets.values) {
      assert.ok(!text.includes(value), `${where} contains a secret (${value.slice(0, 3)}...)`);
    }
    for (const [what, pattern] of LEAKS) {
      const match = pattern.exec(text);
      assert.equal(match, null, `${where} contains ${what}: ${match?.[0] ?? ''}`);
    }
  }
}

/** The registry's own secrets, and those of a wrong password tried against it. */
function secretsOf(registry: RunningRegistry, ...more: string[]): Secrets {
  const user = registry.username ?? '';
  const password = registry.password ?? '';
  return {
    values: [
      password,
      basic(user, password),
      ...more,
      ...more.map((value) => basic(user, value)),
    ].filter((value) => value !== ''),
  };
}

async function seeded(options: StartRegistryOptions): Promise<RunningRegistry> {
  const registry = await startRegistry(options);
  // Pushed at once: each image carries its own creation date, so the order does not matter.
  await Promise.all(
    [1, 2, 3, 4].map((n) =>
      pushImage(registry, 'team/app', [`dev-${String(n)}`], {
        created: n === 4 ? daysAgo(1) : daysAgo(30 - n),
      }),
    ),
  );
  return registry;
}

function configYaml(url: string, extra = ''): string {
  return [
    `registry_url: ${url}`,
    'username: "__ENV: REG_USER"',
    'password: "__ENV: REG_PASSWORD"',
    'timeout: 5',
    extra,
  ].join('\n');
}

const WRONG_PASSWORD = 'Wr0ngPassw0rdValue';

// Concurrent: each case starts its own registry (and proxies) and reads only its own workspace.
describe('secrets never leak', { concurrency: true }, () => {
  it('the scanner finds each kind of leak it looks for (so that a pass means something)', () => {
    const samples = [
      'token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGVhbmVyIn0.c2lnbmF0dXJl',
      'Authorization: Bearer abcdef123456',
      'authorization=Basic Y2xlYW5lcjpodW50ZXIy',
      '"proxy-authorization":"x"',
      'Basic Y2xlYW5lcjpodW50ZXIy',
      'aaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbb.cccccccccccccccccc',
    ];
    for (const sample of samples) {
      assert.ok(
        LEAKS.some(([, pattern]) => pattern.test(sample)),
        `the scanner misses ${sample}`,
      );
    }
    for (const harmless of [
      'Authorization: ***',
      'Bearer realm="http://127.0.0.1/token"',
      'digest=sha256:0a62429e705d65f133009b79d9152d01600ebc340e28e5bdf1fabb312d794594',
      'url=http://127.0.0.1:43211/v2/team/app/manifests/dev-4',
    ]) {
      assert.ok(!LEAKS.some(([, pattern]) => pattern.test(harmless)), harmless);
    }
  });

  it('token auth: --debug, a real run, --watch and a refused password, all with --http-logs', async () => {
    const registry = await seeded({ auth: 'token' });
    const workspace = await createWorkspace();
    try {
      await workspace.writeConfig({
        'config.yaml': configYaml(registry.url),
        'manual.yaml': MANUAL,
        'jobs.yaml': JOBS,
      });
      const env = { REG_USER: registry.username ?? '', REG_PASSWORD: registry.password ?? '' };
      const results: CliResult[] = [];
      const dry = await workspace.run(['--debug', '--http-logs'], env);
      assert.equal(dry.code, 0, dry.stderr);
      results.push(dry);
      const real = await workspace.run(['--http-logs'], env);
      assert.equal(real.code, 0, real.stderr);
      results.push(real);
      assert.deepEqual((await listTags(registry, 'team/app')).sort(), ['dev-3', 'dev-4']);
      await pushImage(registry, 'team/app', ['dev-0'], { created: daysAgo(50) });
      const watch = workspace.spawn(['--watch', '--http-logs'], env);
      await watch.waitForOutput(/next run scheduled/);
      watch.child.kill('SIGTERM');
      const watched = await watch.result;
      assert.equal(watched.code, 0, watched.stderr);
      results.push(watched);
      assert.match(watched.stderr, /deleted repository=team\/app .*tags=dev-0/);
      const wrong = await workspace.run(['--http-logs'], { ...env, REG_PASSWORD: WRONG_PASSWORD });
      assert.equal(wrong.code, 1, wrong.stdout + wrong.stderr);
      assert.match(wrong.stdout, /refused the credentials for user/);
      results.push(wrong);
      assert.ok(registry.tokenRequests().length > 0);
      await assertNoSecrets(workspace, results, secretsOf(registry, WRONG_PASSWORD));
    } finally {
      await workspace.cleanup();
      await registry.stop();
    }
  });

  it('Docker config credentials (issue 23): auths auth, an identitytoken, a helper, a refused token and a failing helper, all with --http-logs', async () => {
    const registry = await seeded({ auth: 'token' });
    const workspace = await createWorkspace();
    const docker = join(workspace.dir, 'docker');
    const bin = join(workspace.dir, 'bin');
    const user = registry.username ?? '';
    const password = registry.password ?? '';
    const host = new URL(registry.url).host;
    const wrongToken = 'Wr0ngIdentityT0kenValue';
    const helperLeak = 'HelperS3cretOutputValue';
    try {
      await mkdir(docker, { recursive: true });
      await mkdir(bin, { recursive: true });
      await workspace.writeConfig({
        // Also the helpers' timeout: Node programs, slow to start on a busy machine.
        'config.yaml': `registry_url: ${registry.url}\ntimeout: 20\n`,
        'manual.yaml': MANUAL,
      });
      const env = { DOCKER_CONFIG: docker, PATH: `${bin}:${process.env['PATH'] ?? ''}` };
      const dockerConfig = (config: unknown): Promise<void> =>
        writeFile(join(docker, 'config.json'), JSON.stringify(config));
      await installHelper(bin, 'lab', [{ kind: 'found', username: user, secret: password }]);
      await installHelper(bin, 'leaky', [{ kind: 'fail', leak: helperLeak }]);
      const results: CliResult[] = [];
      const expect = async (args: string[], code: number): Promise<void> => {
        const result = await workspace.run(args, env);
        assert.equal(result.code, code, result.stdout + result.stderr);
        results.push(result);
      };

      await dockerConfig({ auths: { [host]: { auth: basic(user, password) } } });
      await expect(['--debug', '--http-logs'], 0);
      await expect(['--http-logs'], 0);
      await expect(['--check-config'], 0);
      await dockerConfig({ auths: { [host]: { identitytoken: registry.refreshToken } } });
      await expect(['--debug', '--http-logs'], 0);
      await dockerConfig({ credHelpers: { [host]: 'lab' } });
      await expect(['--debug', '--http-logs'], 0);
      await dockerConfig({ auths: { [host]: { identitytoken: wrongToken } } });
      await expect(['--debug', '--http-logs'], 1);
      await dockerConfig({ credsStore: 'leaky' });
      await expect(['--debug', '--http-logs'], 1);
      await assertNoSecrets(workspace, results, {
        values: [
          ...secretsOf(registry).values,
          registry.refreshToken ?? '',
          wrongToken,
          helperLeak,
        ].filter((value) => value !== ''),
      });
    } finally {
      await workspace.cleanup();
      await registry.stop();
    }
  });

  it('basic auth: --debug, a real run and a refused password (401), all with --http-logs', async () => {
    const registry = await seeded({ auth: 'basic' });
    const workspace = await createWorkspace();
    try {
      await workspace.writeConfig({
        'config.yaml': configYaml(registry.url),
        'manual.yaml': MANUAL,
      });
      const env = { REG_USER: registry.username ?? '', REG_PASSWORD: registry.password ?? '' };
      const results = [
        await workspace.run(['--debug', '--http-logs'], env),
        await workspace.run(['--http-logs'], env),
      ];
      for (const result of results) assert.equal(result.code, 0, result.stderr);
      const wrong = await workspace.run(['--http-logs', '--debug'], {
        ...env,
        REG_PASSWORD: WRONG_PASSWORD,
      });
      assert.equal(wrong.code, 1, wrong.stdout + wrong.stderr);
      assert.match(wrong.stdout, /401/);
      results.push(wrong);
      await assertNoSecrets(workspace, results, secretsOf(registry, WRONG_PASSWORD));
    } finally {
      await workspace.cleanup();
      await registry.stop();
    }
  });

  it('a token without the delete scope: the deletion is refused, exit 1, no token written', async () => {
    const registry = await seeded({ auth: 'token', token: { grantDelete: false } });
    const workspace = await createWorkspace();
    try {
      await workspace.writeConfig({
        'config.yaml': configYaml(registry.url),
        'manual.yaml': MANUAL,
      });
      const env = { REG_USER: registry.username ?? '', REG_PASSWORD: registry.password ?? '' };
      const result = await workspace.run(['--http-logs'], env);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /lacks delete permission/);
      assert.equal((await listTags(registry, 'team/app')).length, 4);
      await assertNoSecrets(workspace, [result], secretsOf(registry));
    } finally {
      await workspace.cleanup();
      await registry.stop();
    }
  });

  it('a 403 on DELETE (basic auth, through the fault proxy): exit 1, nothing written', async () => {
    const registry = await seeded({ auth: 'basic' });
    const proxy = await startFaultProxy(registry.url, [
      {
        method: 'DELETE',
        path: /\/manifests\//,
        fault: {
          kind: 'status',
          status: 403,
          body: JSON.stringify({
            errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }],
          }),
        },
      },
    ]);
    const workspace = await createWorkspace();
    try {
      await workspace.writeConfig({
        'config.yaml': configYaml(proxy.url),
        'manual.yaml': MANUAL,
      });
      const env = { REG_USER: registry.username ?? '', REG_PASSWORD: registry.password ?? '' };
      const result = await workspace.run(['--http-logs'], env);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /403.*lacks delete permission/);
      assert.equal((await listTags(registry, 'team/app')).length, 4);
      // Every request carried the credentials (to the registry's origin): they existed to leak.
      assert.ok(proxy.requests.some((entry) => entry.headers.authorization !== undefined));
      await assertNoSecrets(workspace, [result], secretsOf(registry));
    } finally {
      await workspace.cleanup();
      await proxy.stop();
      await registry.stop();
    }
  });

  it('a proxy with credentials in its URL: used, never written; a refused proxy password too', async () => {
    const registry = await seeded({ auth: 'basic' });
    const proxyCredentials = { username: 'proxyuser', password: 'Pr0xyPassw0rdValue' };
    const forwardProxy = await startForwardProxy(proxyCredentials);
    const workspace = await createWorkspace();
    try {
      await workspace.writeConfig({
        'config.yaml': configYaml(registry.url, 'proxy: "__ENV: REG_PROXY"'),
        'manual.yaml': MANUAL,
      });
      const env = {
        REG_USER: registry.username ?? '',
        REG_PASSWORD: registry.password ?? '',
        REG_PROXY: forwardProxy.urlWithCredentials,
      };
      const results = [
        await workspace.run(['--debug', '--http-logs'], env),
        await workspace.run(['--http-logs'], env),
      ];
      for (const result of results) assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.deepEqual((await listTags(registry, 'team/app')).sort(), ['dev-3', 'dev-4']);
      assert.ok(forwardProxy.requests.length > 0, 'the requests went through the proxy');
      assert.ok(forwardProxy.requests.every((entry) => entry.authorized));

      const wrongProxyPassword = 'Wr0ngPr0xyValue';
      const refused = await workspace.run(['--http-logs'], {
        ...env,
        REG_PROXY: forwardProxy.urlWithCredentials.replace(
          proxyCredentials.password,
          wrongProxyPassword,
        ),
      });
      assert.equal(refused.code, 1, refused.stdout + refused.stderr);
      assert.match(refused.stdout, /proxy answered 407 \(Proxy Authentication Required\)/);
      results.push(refused);
      await assertNoSecrets(workspace, results, {
        values: [
          ...secretsOf(registry).values,
          proxyCredentials.password,
          wrongProxyPassword,
          basic(proxyCredentials.username, proxyCredentials.password),
          basic(proxyCredentials.username, wrongProxyPassword),
        ],
      });
    } finally {
      await workspace.cleanup();
      await forwardProxy.stop();
      await registry.stop();
    }
  });
});

describe('Authorization never leaves the registry origin', { concurrency: true }, () => {
  for (const auth of ['basic', 'token'] as const) {
    it(`${auth} auth: blobs redirected to another host, cross-host links and redirects of manifests`, async () => {
      const registry = await startRegistry({ auth });
      const foreign = await startForeignHost();
      await Promise.all(
        ['redirected/app', 'linked/app', 'moved/app'].flatMap((repository) =>
          [1, 2, 3].map((n) =>
            pushImage(registry, repository, [`dev-${String(n)}`], { created: daysAgo(30 - n) }),
          ),
        ),
      );
      const rules: FaultRule[] = [
        {
          method: 'GET',
          path: /^\/v2\/redirected\/app\/blobs\//,
          fault: {
            kind: 'redirect',
            to: (path, body) => foreign.serve(`/bucket${path}?X-Amz-Signature=abc`, body),
          },
        },
        {
          method: 'GET',
          path: /^\/v2\/linked\/app\/tags\/list/,
          fault: {
            kind: 'set-headers',
            headers: { link: `<${foreign.url}/v2/linked/app/tags/list?last=dev-3>; rel="next"` },
          },
        },
        {
          method: 'GET',
          path: /^\/v2\/_catalog/,
          fault: {
            kind: 'set-headers',
            headers: { link: `<${foreign.url}/v2/_catalog?last=x&n=1000>; rel="next"` },
          },
        },
        {
          method: 'GET',
          path: /^\/v2\/moved\/app\/manifests\/dev-1$/,
          fault: {
            kind: 'redirect',
            to: (path, body) => foreign.serve(`/mirror${path}`, body),
          },
        },
      ];
      const proxy = await startFaultProxy(registry.url, rules);
      const workspace = await createWorkspace();
      try {
        await workspace.writeConfig({
          'config.yaml': configYaml(proxy.url),
          'manual.yaml': `
- name: redirected
  repositories: [redirected/app]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
- name: linked
  repositories: [linked/app, moved/app]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
- name: catalog
  repositories: [r/redirected/]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
`,
        });
        const env = { REG_USER: registry.username ?? '', REG_PASSWORD: registry.password ?? '' };
        const result = await workspace.run(['--jobs', 'redirected', 'linked', 'catalog'], env);
        const output = result.stdout + result.stderr;
        assert.equal(result.code, 1, output);
        // The redirected blobs were fetched from the foreign host, without the credentials.
        assert.deepEqual((await listTags(registry, 'redirected/app')).sort(), ['dev-3']);
        const fetched = foreign.requests.filter((entry) => entry.path.startsWith('/bucket/'));
        assert.equal(fetched.length, 3);
        for (const entry of foreign.requests) {
          assert.equal(entry.headers.authorization, undefined, `${entry.method} ${entry.path}`);
        }
        // Links to the foreign host were refused, not followed: nothing deleted there.
        assert.equal(foreign.requests.filter((entry) => entry.path.startsWith('/v2/')).length, 0);
        assert.match(output, /linked\/app: .*another host/);
        assert.match(output, /catalog.*another host/);
        assert.equal((await listTags(registry, 'linked/app')).length, 3);
        // A redirected manifest is not followed at all (only blobs may live elsewhere).
        assert.equal(
          foreign.requests.filter((entry) => entry.path.startsWith('/mirror/')).length,
          0,
        );
        assert.match(output, /moved\/app: tag dev-1: .*307/);
        assert.equal((await listTags(registry, 'moved/app')).length, 3);
        // The registry's origin did get the credentials (so there was something to leak).
        assert.ok(proxy.requests.some((entry) => entry.headers.authorization !== undefined));
        await assertNoSecrets(workspace, [result], secretsOf(registry));
      } finally {
        await workspace.cleanup();
        await proxy.stop();
        await foreign.stop();
        await registry.stop();
      }
    });
  }
});
