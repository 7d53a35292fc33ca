import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listTags, pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { configYaml, createWorkspace, type Workspace } from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

/** Several repositories matched by a pattern, and a pattern that matches nothing. */
const MANUAL = `
- name: clean
  repositories: ['r/team/', 'r/nothing/']
  tag_regexps: ['dev-']
  save_last: 0
  older_than_days: 5
`;

describe('wrong password, empty patterns and reproducible-build dates (Basic auth)', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;
  let env: Record<string, string>;

  before(async () => {
    registry = await startRegistry({ auth: 'basic' });
    workspace = await createWorkspace();
    await pushImage(registry, 'team/app', ['dev-1'], { created: daysAgo(30) });
    await pushImage(registry, 'team/api', ['dev-1'], { created: new Date('1980-01-01T00:00:01Z') });
    await pushImage(registry, 'team/web', ['dev-1'], { created: daysAgo(1) });
    await workspace.writeConfig({ 'config.yaml': configYaml(registry.url), 'manual.yaml': MANUAL });
    env = { REG_USER: registry.username ?? '', REG_PASSWORD: registry.password ?? '' };
  });

  after(async () => {
    await workspace.cleanup();
    await registry.stop();
  });

  it('a wrong password ends the job at once with one clear error naming the user, and one 401', async () => {
    await registry.resetAccessLog();
    const wrong = await workspace.run(['--dry-run'], { ...env, REG_PASSWORD: 'not-the-password' });
    assert.equal(wrong.code, 1, wrong.stdout + wrong.stderr);
    const output = wrong.stdout + wrong.stderr;
    assert.match(
      wrong.stdout,
      new RegExp(`refused the credentials for user "${registry.username ?? ''}"`),
    );
    assert.doesNotMatch(output, /name the repositories literally/, 'not blamed on the catalog');
    assert.doesNotMatch(output, /not-the-password/);
    const refused = (await registry.accessLog()).filter((entry) => entry.status === 401);
    // The probe's challenge (no credentials yet), then one request with the wrong ones.
    const withCredentials = refused.filter((entry) => entry.path !== '/v2/');
    assert.equal(withCredentials.length, 1, JSON.stringify(refused));
  });

  it('warns about an r/<regex>/ that matches nothing, and names tags with a 1980 date', async () => {
    const dry = await workspace.run(['--dry-run'], env);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /warning: r\/nothing\/ matches no repository of the catalog/);
    assert.match(
      dry.stdout,
      /warning: team\/api: created before 2000: dev-1 \(a reproducible-build date/,
    );
    // The age rule is unchanged: the 1980 image is old and would be deleted.
    assert.match(dry.stdout, /team\/api\s+dev-1\s+1980-01-01\S*\s+WOULD DELETE/);
    assert.equal((await listTags(registry, 'team/api')).length, 1);
  });
});
