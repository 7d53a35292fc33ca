import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findFreePort } from '../../testkit/free-port.js';
import { anonymousConfigYaml, createWorkspace, type Workspace } from './cli-harness.js';

const MANUAL = `
- name: clean-dev-tags
  repositories: [team/app, r/svc-/]
  tag_regexps: ['dev-']
  save_last: 2
  older_than_days: 5
- name: clean-releases
  repositories: [team/app]
  tag_regexps: ['release-']
  save_last: 10
  older_than_days: 90
`;
const JOBS = `
- name: nightly
  repositories: [team/app]
  tag_regexps: ['dev-']
  save_last: 2
  older_than_days: 5
  clean_every_n_hours: 24
`;

/** A TCP server on 127.0.0.1 that counts the connections made to it and answers none. */
async function connectionCounter(): Promise<{ url: string; count(): number; close(): void }> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return {
    url: `http://127.0.0.1:${String(address.port)}`,
    count: () => connections,
    close: () => server.close(),
  };
}

describe('--check-config', () => {
  let workspace: Workspace;

  before(async () => {
    workspace = await createWorkspace();
  });

  after(async () => {
    await workspace.cleanup();
  });

  it('with the registry down: validates, lists every job on one line, exits 0, writes nothing', async () => {
    // A port nothing listens on: the registry is down.
    const downUrl = `http://127.0.0.1:${String(await findFreePort())}`;
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(downUrl),
      'manual.yaml': MANUAL,
      'jobs.yaml': JOBS,
    });
    const result = await workspace.run(['--check-config']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'The config folder ./config is valid.');
    assert.equal(lines[1], `registry: ${downUrl} (anonymous)`);
    assert.deepEqual(
      lines.filter((line) => line.startsWith('  - ')).map((line) => line.split(':')[0]),
      ['  - nightly', '  - clean-dev-tags', '  - clean-releases'],
    );
    assert.match(
      result.stdout,
      / {2}- clean-dev-tags: in team\/app, r\/svc-\/, deletes tags matching dev- older than 5 days, keeping the 2 newest/,
    );
    assert.equal(lines.at(-1), 'Nothing was sent to the registry.');
    // No lock, no state and no log: a check may run beside a watch process on the same folders.
    assert.equal(existsSync(join(workspace.dir, 'cache')), false);
    assert.equal(existsSync(join(workspace.dir, 'logs')), false);
  });

  it('opens no connection to a registry that is up', async () => {
    const counter = await connectionCounter();
    try {
      await workspace.writeConfig({
        'config.yaml': anonymousConfigYaml(counter.url),
        'manual.yaml': MANUAL,
      });
      const result = await workspace.run(['--check-config', '--jobs', 'clean-releases']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /the jobs --jobs names: 1 job\n {2}- clean-releases: /);
      assert.doesNotMatch(result.stdout, /clean-dev-tags/);
      assert.equal(counter.count(), 0);
    } finally {
      counter.close();
    }
  });

  it('exits 2 naming every problem, and suggests the job a typo meant', async () => {
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml('http://127.0.0.1:1'),
      'manual.yaml': MANUAL,
      'jobs.yaml': `${JOBS}  tag_regexps: ['(?P<x>dev)']\n`,
    });
    const broken = await workspace.run(['--check-config']);
    assert.equal(broken.code, 2);
    assert.equal(broken.stdout, '');
    assert.match(broken.stderr, /jobs\.yaml/);
    assert.match(broken.stderr, /Nothing was sent to the registry/);

    await workspace.writeConfig({ 'jobs.yaml': JOBS });
    const typo = await workspace.run(['--check-config', '--jobs', 'clean-dev-tag']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /did you mean "clean-dev-tags"\?/);
  });
});
