import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  canonicalHost,
  hostOf,
  lookUpDockerCredentials,
} from '../../../src/adapters/config/docker-config.js';

const root = mkdtempSync(join(tmpdir(), 'reg-cleaner-docker-config-'));
let folders = 0;

/** A DOCKER_CONFIG folder holding `config` as config.json. */
function dockerConfig(config: unknown): NodeJS.ProcessEnv {
  folders += 1;
  const dir = join(root, String(folders));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'config.json'),
    typeof config === 'string' ? config : JSON.stringify(config),
  );
  return { DOCKER_CONFIG: dir, HOME: '/nonexistent' };
}

const basic = (user: string, password: string): string =>
  Buffer.from(`${user}:${password}`).toString('base64');
const REGISTRY = 'http://127.0.0.1:5000';

describe('Docker config credentials (issue 23)', () => {
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('normalises keys as docker/cli does: host[:port], URLs, /v1/ and /v2/ paths, Docker Hub names', () => {
    assert.equal(hostOf('127.0.0.1:5000'), '127.0.0.1:5000');
    assert.equal(hostOf('https://registry.example.com/v1/'), 'registry.example.com');
    assert.equal(hostOf('http://127.0.0.1:5000/v2/'), '127.0.0.1:5000');
    assert.equal(hostOf('registry.example.com/v2/'), 'registry.example.com');
    for (const hub of ['https://index.docker.io/v1/', 'docker.io', 'registry-1.docker.io']) {
      assert.equal(canonicalHost(hostOf(hub)), 'docker.io', hub);
    }
    assert.equal(canonicalHost('Registry.Example.com'), 'registry.example.com');
  });

  it('reads each form of an auths entry under each form of key', () => {
    const cases: [string, Record<string, string>, string][] = [
      ['127.0.0.1:5000', { auth: basic('alice', 'pa:ss') }, 'auth'],
      ['http://127.0.0.1:5000/v2/', { username: 'alice', password: 'pa:ss' }, 'username/password'],
      ['https://127.0.0.1:5000/v1/', { identitytoken: 'refresh-me' }, 'identitytoken'],
      ['127.0.0.1:5000/v2/', { registrytoken: 'bearer-me' }, 'registrytoken'],
    ];
    for (const [key, entry, what] of cases) {
      const env = dockerConfig({ auths: { 'other:1': { auth: basic('x', 'y') }, [key]: entry } });
      const found = lookUpDockerCredentials(REGISTRY, env);
      assert.deepEqual(found.problems, []);
      assert.equal(
        found.credentialsFrom,
        `docker config ${join(env['DOCKER_CONFIG'] ?? '', 'config.json')}: auths[${JSON.stringify(key)}] (${what})`,
      );
      if (what === 'identitytoken') {
        assert.deepEqual(found.dockerLogin, { kind: 'identity-token', token: 'refresh-me' });
      } else if (what === 'registrytoken') {
        assert.deepEqual(found.dockerLogin, { kind: 'registry-token', token: 'bearer-me' });
      } else {
        // The password may hold a colon: only the first one separates.
        assert.deepEqual(found.credentials, { username: 'alice', password: 'pa:ss' });
      }
      assert.ok(found.secrets.length > 0, 'the secrets are handed to the scrubber');
    }
  });

  it('credHelpers[host] before credsStore before auths; Docker Hub helpers are asked for its index URL', () => {
    const auths = { '127.0.0.1:5000': { auth: basic('alice', 'secret') } };
    const both = lookUpDockerCredentials(
      REGISTRY,
      dockerConfig({ credHelpers: { '127.0.0.1:5000': 'lab' }, credsStore: 'desktop', auths }),
    );
    assert.deepEqual(both.dockerLogin, { kind: 'helper', helper: 'lab', server: '127.0.0.1:5000' });
    assert.match(both.credentialsFrom, /: credHelpers -> lab$/);
    const store = lookUpDockerCredentials(
      REGISTRY,
      dockerConfig({ credHelpers: { 'elsewhere:1': 'lab' }, credsStore: 'desktop', auths }),
    );
    assert.deepEqual(store.dockerLogin, {
      kind: 'helper',
      helper: 'desktop',
      server: '127.0.0.1:5000',
    });
    assert.match(store.credentialsFrom, /: credsStore -> desktop$/);
    const hub = lookUpDockerCredentials(
      'https://registry-1.docker.io',
      dockerConfig({ credHelpers: { 'docker.io': 'hub' } }),
    );
    assert.deepEqual(hub.dockerLogin, {
      kind: 'helper',
      helper: 'hub',
      server: 'https://index.docker.io/v1/',
    });
  });

  it('nothing for the host, no file, an empty entry: anonymous, saying where it looked', () => {
    const elsewhere = lookUpDockerCredentials(
      REGISTRY,
      dockerConfig({ auths: { 'other:1': { auth: basic('x', 'y') } } }),
    );
    assert.equal(elsewhere.credentials, undefined);
    assert.equal(elsewhere.dockerLogin, undefined);
    assert.match(
      elsewhere.credentialsFrom,
      /^none \(nothing for 127\.0\.0\.1:5000 in .*config\.json\)$/,
    );
    const none = lookUpDockerCredentials(REGISTRY, { HOME: '/nonexistent' });
    assert.equal(
      none.credentialsFrom,
      'none (no username/password in config.yaml, no Docker config)',
    );
    const empty = lookUpDockerCredentials(
      REGISTRY,
      dockerConfig({ auths: { '127.0.0.1:5000': {} } }),
    );
    assert.equal(empty.credentials, undefined);
    assert.deepEqual(empty.problems, []);
  });

  it("falls back to Podman's auth.json only when there is no Docker config", () => {
    folders += 1;
    const runtime = join(root, String(folders));
    mkdirSync(join(runtime, 'containers'), { recursive: true });
    writeFileSync(
      join(runtime, 'containers', 'auth.json'),
      JSON.stringify({ auths: { '127.0.0.1:5000': { auth: basic('podman', 'pw') } } }),
    );
    const found = lookUpDockerCredentials(REGISTRY, {
      HOME: '/nonexistent',
      XDG_RUNTIME_DIR: runtime,
    });
    assert.deepEqual(found.credentials, { username: 'podman', password: 'pw' });
    const docker = lookUpDockerCredentials(REGISTRY, {
      ...dockerConfig({ auths: {} }),
      XDG_RUNTIME_DIR: runtime,
    });
    assert.equal(docker.credentials, undefined);
  });

  it('a helper name that is not a plain name, bad JSON or a bad auth: a problem naming file and field, never the value', () => {
    for (const name of ['../../bin/sh', '/bin/sh', 'two words', '']) {
      const env = dockerConfig({ credHelpers: { '127.0.0.1:5000': name } });
      const found = lookUpDockerCredentials(REGISTRY, env);
      if (name === '') {
        assert.deepEqual(found.problems, [], 'an empty helper is no helper');
        continue;
      }
      const [problem, ...others] = found.problems;
      assert.ok(problem !== undefined && others.length === 0, name);
      assert.equal(problem.field, 'credHelpers["127.0.0.1:5000"]');
      assert.equal(problem.file, join(env['DOCKER_CONFIG'] ?? '', 'config.json'));
      assert.equal(found.dockerLogin, undefined);
    }
    const store = lookUpDockerCredentials(REGISTRY, dockerConfig({ credsStore: 'a/b' }));
    assert.equal(store.problems[0]?.field, 'credsStore');

    const broken = lookUpDockerCredentials(
      REGISTRY,
      dockerConfig('{"auths": {"x": {"auth": "c2VjcmV0'),
    );
    assert.equal(broken.problems.length, 1);
    assert.doesNotMatch(broken.problems[0]?.message ?? '', /c2VjcmV0/);

    const noColon = Buffer.from('no-colon-secret').toString('base64');
    const bad = lookUpDockerCredentials(
      REGISTRY,
      dockerConfig({ auths: { '127.0.0.1:5000': { auth: noColon } } }),
    );
    assert.equal(bad.problems[0]?.field, 'auths["127.0.0.1:5000"].auth');
    assert.ok(!JSON.stringify(bad.problems).includes(noColon));
    assert.ok(bad.secrets.includes(noColon));
  });
});
