// A run in a GitHub Actions step (issue 24 item 4): the step outputs, the job summary and the
// annotations, read from the files and stdout a real run leaves.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pushImage } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { anonymousConfigYaml, createWorkspace, type Workspace } from './cli-harness.js';
import { DAY_MS } from '../../testkit/dates.js';

const MANUAL = `
- name: clean
  repositories: [team/app]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
- name: typo
  repositories: [team/app, team9/does-not-exist]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
`;

/** The GITHUB_OUTPUT file as the runner reads it: name=value, or name<<DELIMITER ... DELIMITER. */
function stepOutputs(text: string): Map<string, string> {
  const outputs = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const heredoc = /^(\w+)<<(\S+)$/.exec(line);
    if (heredoc !== null) {
      const end = lines.indexOf(heredoc[2] ?? '', i + 1);
      assert.ok(end > i, `unterminated value of ${heredoc[1] ?? ''}`);
      outputs.set(heredoc[1] ?? '', lines.slice(i + 1, end).join('\n'));
      i = end;
    } else if (line !== '') {
      const at = line.indexOf('=');
      assert.ok(at > 0, `not an output line: ${line}`);
      outputs.set(line.slice(0, at), line.slice(at + 1));
    }
  }
  return outputs;
}

describe('in a GitHub Actions step (issue 24 item 4)', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;
  let env: Record<string, string>;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    workspace = await createWorkspace();
    for (const [tag, age] of [
      ['dev-1', 30],
      ['dev-2', 20],
      ['dev-3', 10],
    ] as const) {
      await pushImage(registry, 'team/app', [tag], {
        created: new Date(Date.now() - age * DAY_MS),
      });
    }
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(registry.url, 'reports:\n  formats: [json, md]'),
      'manual.yaml': MANUAL,
    });
    env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: join(workspace.dir, 'github-output'),
      GITHUB_STEP_SUMMARY: join(workspace.dir, 'github-summary.md'),
    };
  });

  after(async () => {
    await workspace.cleanup();
    await registry.stop();
  });

  it('a dry run: would_delete and the report as step outputs, the Markdown as job summary', async () => {
    const run = await workspace.run(['--dry-run', '--jobs', 'clean'], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const outputs = stepOutputs(await readFile(env['GITHUB_OUTPUT'] ?? '', 'utf8'));
    assert.deepEqual(
      [...outputs.keys()],
      ['deleted', 'would_delete', 'untagged', 'failed', 'reclaimable_bytes', 'report'],
    );
    assert.equal(outputs.get('would_delete'), '2');
    assert.equal(outputs.get('deleted'), '0');
    assert.equal(outputs.get('failed'), '0');
    assert.ok(Number(outputs.get('reclaimable_bytes')) > 0);
    const path = outputs.get('report') ?? '';
    assert.match(path, /^reports\/clean\/\d{8}T\d{6}Z-dry\.json$/);
    const report = JSON.parse(await readFile(join(workspace.dir, path), 'utf8')) as {
      summary: { deleted: number };
    };
    assert.equal(report.summary.deleted, 2, 'the output names the report of this run');
    const summary = await readFile(env['GITHUB_STEP_SUMMARY'] ?? '', 'utf8');
    assert.match(summary, /clean/);
    assert.match(summary, /dev-1/);
    assert.doesNotMatch(run.stdout, /^::/m, 'no warning, no annotation');
  });

  it('a real run with a warning: deleted as output, the warning as an annotation', async () => {
    const run = await workspace.run(['--jobs', 'typo'], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(
      run.stdout,
      /^::warning title=reg-cleaner%3A job typo::team9\/does-not-exist: repository not found.*$/m,
    );
    // Both runs append to one file here (each GitHub step has a file of its own): read the second.
    const text = await readFile(env['GITHUB_OUTPUT'] ?? '', 'utf8');
    const second = stepOutputs(text.slice(text.lastIndexOf('deleted=')));
    assert.equal(second.get('deleted'), '2');
    assert.equal(second.get('would_delete'), '0');
    assert.match(second.get('report') ?? '', /^reports\/typo\/\d{8}T\d{6}Z-real\.json$/);
  });
});
