import assert from 'node:assert/strict';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSelfSignedCertificate } from '../../testkit/certificates.js';
import { listTags, pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { createWorkspace, type Workspace } from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

/**
 * TLS against the real registry serving https with a self-signed certificate: verification is
 * on by default (the run fails, names ca_file, and not one HTTP request, so no credential,
 * reaches the unverified server); ca_file makes it work; a CA that did not sign the
 * certificate does not; insecure: true works and warns on every run, watch mode included.
 */

const WARNING = /TLS verification is disabled \(insecure: true\)/g;

const MANUAL = `
- name: clean
  repositories: [team/app]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
`;

describe('TLS with a self-signed registry', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;
  let env: Record<string, string>;

  before(async () => {
    registry = await startRegistry({ auth: 'basic', tls: true });
    env = { REG_USER: registry.username ?? '', REG_PASSWORD: registry.password ?? '' };
  });

  after(async () => {
    await registry.stop();
  });

  async function pushTags(from: number, to: number): Promise<void> {
    for (let n = from; n <= to; n++) {
      await pushImage(registry, 'team/app', [`dev-${String(n)}`], { created: daysAgo(60 - n) });
    }
  }

  async function useConfig(extra: string): Promise<void> {
    workspace = await createWorkspace();
    await workspace.writeConfig({
      'config.yaml': [
        `registry_url: ${registry.url}`,
        'username: "__ENV: REG_USER"',
        'password: "__ENV: REG_PASSWORD"',
        'timeout: 5',
        extra,
      ].join('\n'),
      'manual.yaml': MANUAL,
      'jobs.yaml': `${MANUAL.replace('name: clean', 'name: clean-watched')}  clean_every_n_hours: 24\n`,
    });
  }

  it('verification is on by default: exit 1, a message naming ca_file, no request reached the registry', async () => {
    await pushTags(1, 3);
    await registry.resetAccessLog();
    await useConfig('');
    try {
      const result = await workspace.run([], env);
      const output = result.stdout + result.stderr;
      assert.equal(result.code, 1, output);
      assert.match(output, /TLS certificate verification failed \([A-Z_]+\)/);
      assert.match(output, /set ca_file in config\.yaml/);
      assert.deepEqual(await registry.accessLog(), [], 'no HTTP request, so no credential sent');
      assert.equal((await listTags(registry, 'team/app')).length, 3);
    } finally {
      await workspace.cleanup();
    }
  });

  it('a ca_file of another CA does not make the registry trusted', async () => {
    await useConfig('ca_file: other-ca.crt');
    try {
      await createSelfSignedCertificate(workspace.configDir, 'other-ca', {
        commonName: 'not the registry',
        ipAddress: '127.0.0.1',
      });
      const result = await workspace.run([], env);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout + result.stderr, /TLS certificate verification failed/);
      assert.equal((await listTags(registry, 'team/app')).length, 3);
    } finally {
      await workspace.cleanup();
    }
  });

  it('with ca_file (relative to the config folder) it works, without a warning', async () => {
    await useConfig('ca_file: registry-ca.pem');
    try {
      await copyFile(registry.caFile ?? '', join(workspace.configDir, 'registry-ca.pem'));
      const result = await workspace.run([], env);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.deepEqual(await listTags(registry, 'team/app'), ['dev-3']);
      assert.doesNotMatch(result.stderr, WARNING);
    } finally {
      await workspace.cleanup();
    }
  });

  it('insecure: true works and warns on every run, --debug, real and --watch', async () => {
    await pushTags(4, 5);
    await useConfig('insecure: true');
    try {
      const dry = await workspace.run(['--debug'], env);
      assert.equal(dry.code, 0, dry.stdout + dry.stderr);
      assert.equal(dry.stderr.match(WARNING)?.length, 1);
      const real = await workspace.run([], env);
      assert.equal(real.code, 0, real.stdout + real.stderr);
      assert.equal(real.stderr.match(WARNING)?.length, 1);
      assert.deepEqual(await listTags(registry, 'team/app'), ['dev-5']);
      const watch = workspace.spawn(['--watch'], env);
      await watch.waitForOutput(/next run scheduled/);
      watch.child.kill('SIGTERM');
      const watched = await watch.result;
      assert.equal(watched.code, 0, watched.stderr);
      assert.equal(watched.stderr.match(WARNING)?.length, 1);
      const log = await readFile(join(workspace.dir, 'logs/cleaner.log'), 'utf8');
      assert.equal(log.match(WARNING)?.length, 3, 'the log has the warning of each run');
    } finally {
      await workspace.cleanup();
    }
  });
});
