import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listTags, pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RegistryAuthFlavour } from '../../testkit/registry-server.js';
import { configYaml, createWorkspace } from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

const MANUAL = `
- name: clean
  repositories: [team/app]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
`;

for (const auth of ['basic', 'token'] satisfies RegistryAuthFlavour[]) {
  describe(`one-shot cleanup with ${auth} auth`, () => {
    it('a dry run reads, a real run deletes, credentials come from __ENV', async () => {
      const registry = await startRegistry({ auth });
      const workspace = await createWorkspace();
      try {
        for (let n = 1; n <= 3; n++) {
          await pushImage(registry, 'team/app', [`dev-${String(n)}`], { created: daysAgo(30 - n) });
        }
        await workspace.writeConfig({
          'config.yaml': configYaml(registry.url),
          'manual.yaml': MANUAL,
        });
        const env = { REG_USER: registry.username ?? '', REG_PASSWORD: registry.password ?? '' };
        const tokensBefore = registry.tokenRequests().length;

        const dry = await workspace.run(['--debug'], env);
        assert.equal(dry.code, 0, dry.stderr);
        if (auth === 'token') {
          const scopes = registry
            .tokenRequests()
            .slice(tokensBefore)
            .map((record) => record.scope);
          assert.deepEqual(scopes, ['repository:team/app:pull'], 'a dry run asks for pull only');
        }
        assert.equal((await listTags(registry, 'team/app')).length, 3);

        const real = await workspace.run([], env);
        assert.equal(real.code, 0, real.stderr);
        assert.deepEqual(await listTags(registry, 'team/app'), ['dev-3']);

        const wrong = await workspace.run([], { ...env, REG_PASSWORD: 'not-the-password' });
        assert.equal(wrong.code, 1);
        assert.match(wrong.stdout + wrong.stderr, /auth|401|credentials|unauthori[sz]ed/i);
        assert.doesNotMatch(wrong.stdout + wrong.stderr, /not-the-password/);
      } finally {
        await workspace.cleanup();
        await registry.stop();
      }
    });
  });
}
