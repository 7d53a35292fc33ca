// The watch page of the metrics listener (issue 24 item 3), from a real watch process against
// a real registry, read with a plain HTTP client that sends paths exactly as written.
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findFreePort } from '../../testkit/free-port.js';
import { fetchLocal } from './local-http.js';
import { pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { configYaml, createWorkspace, type Workspace } from './cli-harness.js';
import { DAY_MS } from '../../testkit/dates.js';

const JOB = `
- name: clean-dev
  repositories: [team/app, team/api]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
  clean_every_n_hours: 6
`;

describe('the watch page of the metrics listener (issue 24 item 3)', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;

  before(async () => {
    registry = await startRegistry({ auth: 'basic' });
    workspace = await createWorkspace();
    for (const repository of ['team/app', 'team/api']) {
      for (let n = 1; n <= 3; n++) {
        await pushImage(registry, repository, [`dev-${String(n)}`], {
          created: new Date(Date.now() - (30 + n) * DAY_MS),
        });
      }
    }
    // Files outside the reports folder, reachable through links placed inside it.
    await writeFile(join(workspace.dir, 'outside.json'), '{"secret":"outside"}');
    await mkdir(join(workspace.dir, 'reports'));
    await symlink(join(workspace.dir, 'outside.json'), join(workspace.dir, 'reports', 'leak.json'));
    await symlink(workspace.dir, join(workspace.dir, 'reports', 'up'));
  });

  after(async () => {
    await workspace.cleanup();
    await registry.stop();
  });

  it('lists the jobs, serves the latest report, refuses paths out of the folder and other methods, shows no secret', async () => {
    const port = await findFreePort();
    await workspace.writeConfig({
      'config.yaml': configYaml(
        registry.url,
        `metrics:\n  listen: 127.0.0.1:${String(port)}\n  reports: true\n`,
      ),
      'jobs.yaml': JOB,
    });
    const cli = workspace.spawn(['--watch', '--dry-run'], {
      REG_USER: registry.username ?? '',
      REG_PASSWORD: registry.password ?? '',
    });
    const secrets = [
      registry.password ?? '',
      Buffer.from(`${registry.username ?? ''}:${registry.password ?? ''}`).toString('base64'),
    ];
    assert.ok((secrets[0] ?? '').length >= 8);
    try {
      await cli.waitForOutput(/next run scheduled/);
      const page = await fetchLocal(port, '/');
      assert.equal(page.status, 200);
      assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(page.headers['x-content-type-options'], 'nosniff');
      assert.match(String(page.headers['content-security-policy']), /^default-src 'none'/);
      const row = /<tr><td>clean-dev<\/td>.*<\/tr>/.exec(page.body)?.[0] ?? '';
      assert.match(row, /<td>dry run<\/td><td class="success">success<\/td>/);
      // 2 repositories, 3 old dev- tags each, save_last 1: 4 would go, none untagged, 2 stay.
      assert.match(
        row,
        /<td class="n muted">–<\/td><td class="n">4<\/td><td class="n">0<\/td><td class="n">2<\/td><td class="n">0<\/td>/,
      );
      assert.match(row, /<td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d<\/td>/);
      const link = /href="(\/reports\/[^"]+)"/.exec(row)?.[1] ?? '';
      assert.equal(link, '/reports/clean-dev/latest.html');

      const report = await fetchLocal(port, link);
      assert.equal(report.status, 200);
      assert.equal(report.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(report.headers['x-content-type-options'], 'nosniff');
      assert.match(String(report.headers['content-security-policy']), /script-src 'sha256-/);
      assert.match(report.body, /<h1>clean-dev<\/h1>/);
      const json = await fetchLocal(port, '/reports/clean-dev/latest.json');
      assert.equal(json.status, 200);
      assert.equal((JSON.parse(json.body) as { summary: { deleted: number } }).summary.deleted, 4);
      const head = await fetchLocal(port, '/', 'HEAD');
      assert.equal(head.status, 200);
      assert.equal(head.body, '');

      for (const path of [
        '/reports/../cache/latest_cleanup.json',
        '/reports/%2e%2e/cache/latest_cleanup.json',
        '/reports/clean-dev/%2E%2E/%2E%2E/outside.json',
        '/reports/..%2fcache%2flatest_cleanup.json',
        `/reports/${encodeURIComponent(join(workspace.dir, 'outside.json'))}`,
        '/reports//etc/passwd',
        '/reports/leak.json',
        '/reports/up/outside.json',
        '/reports/clean-dev/',
        '/reports/clean-dev/.latest.json.tmp',
        '/reports/%E0%A4%A.json',
        '/config.yaml',
      ]) {
        const refused = await fetchLocal(port, path);
        assert.equal(refused.status, 404, path);
        assert.doesNotMatch(refused.body, /outside|registry_url|dev-1/, path);
      }
      for (const path of ['/', link, '/reports/../x']) {
        const post = await fetchLocal(port, path, 'POST');
        assert.equal(post.status, 405, path);
        assert.equal(post.headers['allow'], 'GET, HEAD');
      }
      for (const answer of [page, report, json]) {
        for (const secret of secrets) assert.ok(!answer.body.includes(secret));
        assert.doesNotMatch(answer.body, /password|authorization/i);
      }
      assert.ok(!page.body.includes(registry.url), 'the page names no registry');
    } finally {
      cli.child.kill('SIGTERM');
      await cli.result;
    }
  });
});
