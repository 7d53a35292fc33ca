import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { anonymousConfigYaml, createWorkspace, type Workspace } from './cli-harness.js';

// Loaded into the CLI with NODE_OPTIONS: at exit it writes which of Node's own modules the
// process loaded (process.moduleLoadList), to the file named by MODULES_FILE.
const PROBE = `
import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  writeFileSync(process.env.MODULES_FILE, process.moduleLoadList.join('\\n'));
});
`;

/**
 * Start-up cost (issue 25): the bundle (scripts/bundle.mjs) keeps axios from loading Node's
 * undici and web streams (its eager fetch probe) and http2 (a transport never used). Either
 * returning costs 10-40 ms of CPU before every run's first request; this catches an axios
 * upgrade or a new import that brings them back.
 */
describe('what a dry run loads (the bundle)', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    workspace = await createWorkspace();
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(registry.url),
      'manual.yaml': [
        '- name: nothing-there',
        '  repositories: [team/absent]',
        '  tag_regexps: [dev-]',
        '  save_last: 1',
        '  older_than_days: 1',
        '',
      ].join('\n'),
    });
    await writeFile(join(workspace.dir, 'probe.mjs'), PROBE);
  });

  after(async () => {
    await workspace.cleanup();
    await registry.stop();
  });

  it('sends its requests without loading undici, web streams or http2', async () => {
    const modulesFile = join(workspace.dir, 'modules.txt');
    const result = await workspace.run(['--dry-run', '--http-logs'], {
      NODE_OPTIONS: `--import=${pathToFileURL(join(workspace.dir, 'probe.mjs')).href}`,
      MODULES_FILE: modulesFile,
    });
    assert.equal(result.code, 0, result.stderr);
    // The run did talk to the registry: HTTP was loaded and a request logged.
    assert.match(result.stdout + result.stderr, /team\/absent/);
    const loaded = (await readFile(modulesFile, 'utf8')).split('\n');
    assert.ok(loaded.includes('NativeModule _http_client'), 'the HTTP client was loaded');
    const unwanted = loaded.filter((name) =>
      /^NativeModule (internal\/deps\/undici\/|internal\/webstreams\/readablestream|http2$)/.test(
        name,
      ),
    );
    assert.deepEqual(unwanted, []);
  });
});
