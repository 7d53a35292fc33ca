import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { installHelper } from '../support/credential-helpers.js';
import { pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { createWorkspace, type Workspace } from './cli-harness.js';
import { DAY_MS } from '../../testkit/dates.js';

/**
 * Issue 23: with no username/password in config.yaml, a dry run against the real registry (token
 * auth, and Basic) takes its credentials from the Docker client config: each form of `auths`,
 * `credHelpers` and `credsStore` with test helpers that record what they were asked.
 */

const MANUAL = `
- name: clean
  repositories: [team/app]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
`;
const basic = (user: string, password: string): string =>
  Buffer.from(`${user}:${password}`).toString('base64');

async function seeded(auth: 'token' | 'basic'): Promise<RunningRegistry> {
  const registry = await startRegistry({ auth });
  await Promise.all(
    [1, 2, 3].map((n) =>
      pushImage(registry, 'team/app', [`dev-${String(n)}`], {
        created: new Date(Date.now() - (30 - n) * DAY_MS),
      }),
    ),
  );
  return registry;
}

const hostOf = (registry: RunningRegistry): string => new URL(registry.url).host;

/** A workspace whose config.yaml has no credentials, and a Docker config folder + helper bin. */
async function workspaceWith(
  registry: RunningRegistry,
  dockerConfig: unknown,
  extra = '',
): Promise<{ workspace: Workspace; env: Record<string, string>; bin: string }> {
  const workspace = await createWorkspace();
  await workspace.writeConfig({
    // A generous timeout: it also bounds each helper, a Node program slow to start on a busy machine.
    'config.yaml': `registry_url: ${registry.url}\ntimeout: 20\n${extra}`,
    'manual.yaml': MANUAL,
  });
  const docker = join(workspace.dir, 'docker');
  const bin = join(workspace.dir, 'bin');
  await mkdir(docker, { recursive: true });
  await mkdir(bin, { recursive: true });
  await writeFile(join(docker, 'config.json'), JSON.stringify(dockerConfig));
  return {
    workspace,
    bin,
    env: { DOCKER_CONFIG: docker, PATH: `${bin}:${process.env['PATH'] ?? ''}` },
  };
}

async function recordOf(workspace: Workspace): Promise<{ success: boolean; errors: string[] }> {
  const state = JSON.parse(
    await readFile(join(workspace.dir, 'cache/latest_cleanup.json'), 'utf8'),
  ) as Record<string, { success: boolean; errors: string[] }>;
  const record = state['clean'];
  assert.ok(record !== undefined);
  return record;
}

// One after another: the cases count the token requests of one shared token server.
describe('credentials from the Docker config (issue 23)', () => {
  let token: RunningRegistry;
  let basicRegistry: RunningRegistry;

  before(async () => {
    [token, basicRegistry] = await Promise.all([seeded('token'), seeded('basic')]);
  });
  after(async () => {
    await Promise.all([token.stop(), basicRegistry.stop()]);
  });

  /** A dry run that works: exit 0, the two old tags planned, a token for the user. */
  async function dryRunWorks(workspace: Workspace, env: Record<string, string>): Promise<string> {
    const result = await workspace.run(['--debug'], env);
    const output = result.stdout + result.stderr;
    assert.equal(result.code, 0, output);
    assert.match(output, /dev-1/);
    assert.equal((await recordOf(workspace)).success, true);
    return output;
  }

  it('auths with auth (host:port key): the dry run works and --check-config names the source', async () => {
    const { workspace, env } = await workspaceWith(token, {
      auths: { [hostOf(token)]: { auth: basic(token.username ?? '', token.password ?? '') } },
    });
    try {
      const before = token.tokenRequests().length;
      await dryRunWorks(workspace, env);
      const asked = token.tokenRequests().slice(before);
      assert.ok(asked.length > 0 && asked.every((request) => request.account === token.username));
      const check = await workspace.run(['--check-config'], env);
      assert.equal(check.code, 0, check.stderr);
      assert.match(
        check.stdout,
        new RegExp(
          `credentials: docker config .*config\\.json: auths\\["${hostOf(token)}"\\] \\(auth\\)`,
        ),
      );
    } finally {
      await workspace.cleanup();
    }
  });

  it('auths with username/password under a legacy https://host/v1/ key, against Basic auth', async () => {
    const { workspace, env } = await workspaceWith(basicRegistry, {
      auths: {
        [`https://${hostOf(basicRegistry)}/v1/`]: {
          username: basicRegistry.username,
          password: basicRegistry.password,
        },
      },
    });
    try {
      await dryRunWorks(workspace, env);
    } finally {
      await workspace.cleanup();
    }
  });

  it('auths with an identitytoken: the refresh_token grant (POST, client_id=reg-cleaner)', async () => {
    const { workspace, env } = await workspaceWith(token, {
      auths: { [`http://${hostOf(token)}/v2/`]: { identitytoken: token.refreshToken } },
    });
    try {
      const before = token.tokenRequests().length;
      await dryRunWorks(workspace, env);
      const asked = token.tokenRequests().slice(before);
      assert.ok(asked.length > 0);
      for (const request of asked) {
        assert.equal(request.method, 'POST');
        assert.equal(request.grantType, 'refresh_token');
        assert.equal(request.clientId, 'reg-cleaner');
        assert.equal(request.status, 200);
      }
    } finally {
      await workspace.cleanup();
    }
  });

  it('auths with a registrytoken: sent as the bearer token, no token request', async () => {
    // A token the token server grants the user for the repository, as `docker login` keeps it.
    const realm = new URL(token.tokenRealm ?? '');
    realm.searchParams.set('service', 'reg-cleaner-test-registry');
    realm.searchParams.set('scope', 'repository:team/app:pull');
    const granted = (await (
      await fetch(realm, {
        headers: { Authorization: `Basic ${basic(token.username ?? '', token.password ?? '')}` },
      })
    ).json()) as { token: string };
    const { workspace, env } = await workspaceWith(token, {
      auths: { [hostOf(token)]: { registrytoken: granted.token } },
    });
    try {
      const before = token.tokenRequests().length;
      await dryRunWorks(workspace, env);
      assert.equal(token.tokenRequests().length, before);
    } finally {
      await workspace.cleanup();
    }
  });

  it('credHelpers: the helper is asked for host:port, once per process, and its password is used', async () => {
    const { workspace, env, bin } = await workspaceWith(token, {
      credHelpers: { [hostOf(token)]: 'lab' },
      credsStore: 'never-asked',
      auths: { [hostOf(token)]: { auth: basic('wrong', 'wrong') } },
    });
    try {
      const helper = await installHelper(bin, 'lab', [
        { kind: 'found', username: token.username ?? '', secret: token.password ?? '' },
      ]);
      await dryRunWorks(workspace, env);
      assert.deepEqual(await helper.asked(), [{ args: ['get'], server: hostOf(token) }]);
      const check = await workspace.run(['--check-config'], env);
      assert.match(check.stdout, /credentials: docker config .*: credHelpers -> lab/);
      assert.equal((await helper.asked()).length, 1, '--check-config runs no helper');
    } finally {
      await workspace.cleanup();
    }
  });

  it('credsStore answering `<token>`: the Secret is an identity token for the refresh grant', async () => {
    const { workspace, env, bin } = await workspaceWith(token, { credsStore: 'desktop' });
    try {
      const helper = await installHelper(bin, 'desktop', [
        { kind: 'found', username: '<token>', secret: token.refreshToken ?? '' },
      ]);
      const before = token.tokenRequests().length;
      await dryRunWorks(workspace, env);
      assert.equal((await helper.asked()).length, 1);
      assert.ok(
        token
          .tokenRequests()
          .slice(before)
          .every((request) => request.method === 'POST'),
      );
    } finally {
      await workspace.cleanup();
    }
  });

  it('a helper that finds nothing means anonymous: the token server refuses, exit 1 saying how to give credentials', async () => {
    const { workspace, env, bin } = await workspaceWith(token, { credsStore: 'empty' });
    try {
      await installHelper(bin, 'empty', [{ kind: 'not-found' }]);
      const result = await workspace.run(['--debug'], env);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(
        result.stdout,
        /none were found: set username and password in config\.yaml, or log in with `docker login/,
      );
    } finally {
      await workspace.cleanup();
    }
  });

  it('no credentials anywhere (no Docker config): exit 1 with the message that says how to give them', async () => {
    const workspace = await createWorkspace();
    try {
      await workspace.writeConfig({
        'config.yaml': `registry_url: ${basicRegistry.url}\ntimeout: 5\n`,
        'manual.yaml': MANUAL,
      });
      const result = await workspace.run(['--debug']);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(
        result.stdout,
        /requires a username and password \(Basic auth\), and none were found: set username and password in config\.yaml, or log in with `docker login/,
      );
    } finally {
      await workspace.cleanup();
    }
  });

  it('a helper that fails or hangs: exit 1 naming the helper, its output never shown', async () => {
    const leak = 'HelperOutputS3cret';
    for (const [name, answer, said] of [
      [
        'broken',
        { kind: 'fail', leak } as const,
        /docker-credential-broken failed \(exit code 3\)/,
      ],
      ['stuck', { kind: 'hang' } as const, /docker-credential-stuck did not answer within 1 s/],
      ['absent', undefined, /docker-credential-absent was not found on PATH/],
    ] as const) {
      const { workspace, env, bin } = await workspaceWith(token, {
        credHelpers: { [hostOf(token)]: name },
      });
      try {
        if (answer !== undefined) await installHelper(bin, name, [answer]);
        if (answer?.kind === 'hang') {
          // 1 s is the shortest timeout: the helper is given that long, then killed.
          await workspace.writeConfig({
            'config.yaml': `registry_url: ${token.url}\ntimeout: 1\n`,
          });
        }
        const result = await workspace.run(['--debug'], env);
        const output = result.stdout + result.stderr;
        assert.equal(result.code, 1, output);
        assert.match(result.stdout, said);
        assert.ok(!output.includes(leak), 'the helper output is never echoed');
      } finally {
        await workspace.cleanup();
      }
    }
  });

  it('a helper name that is a path: exit 2 naming config.json and the field, nothing sent', async () => {
    const { workspace, env } = await workspaceWith(token, {
      credHelpers: { [hostOf(token)]: '../../bin/sh' },
    });
    try {
      const before = token.tokenRequests().length;
      const result = await workspace.run(['--debug'], env);
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.match(result.stderr, /config\.json.*credHelpers\["127\.0\.0\.1:\d+"\].*plain name/);
      assert.equal(token.tokenRequests().length, before);
    } finally {
      await workspace.cleanup();
    }
  });
});
