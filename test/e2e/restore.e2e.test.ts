import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFaultProxy } from '../support/fault-proxy.js';
import {
  getManifest,
  listTags,
  pushImage,
  pushIndex,
  tagExisting,
} from '../../testkit/push-image.js';
import { clientFor, type RegistryClientTarget } from '../../testkit/registry-client.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import {
  anonymousConfigYaml,
  configYaml,
  createWorkspace,
  type CliResult,
  type Workspace,
} from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

/**
 * Undo (issue 16) end to end: the built CLI against the real registry. A real run journals
 * every manifest before deleting it; `--restore` puts each deleted tag back on its original
 * digest, finds nothing to do the second time, leaves re-pushed tags alone, refuses manifests
 * whose blobs the garbage collector removed (exit 1, each tag named), and a journal left by a
 * run killed between its journal write and its DELETE restores nothing wrong.
 */

const WRITE_METHODS = new Set(['DELETE', 'PUT', 'POST', 'PATCH']);

function manualJob(name: string, repository: string): string {
  return `
- name: ${name}
  repositories: [${repository}]
  tag_regexps: ['v']
  save_last: 0
  older_than_days: 5
`;
}

/** Docker and OCI images (one with two tags), an OCI index and a Docker manifest list, all old. */
async function seedMix(registry: RunningRegistry, repository: string): Promise<void> {
  await pushImage(registry, repository, ['v1'], { created: daysAgo(40), format: 'docker' });
  await pushImage(registry, repository, ['v2', 'v2-alias'], {
    created: daysAgo(39),
    format: 'oci',
  });
  await pushIndex(
    registry,
    repository,
    ['v3'],
    [
      { created: daysAgo(38), arch: 'amd64' },
      { created: daysAgo(38), arch: 'arm64' },
    ],
    { format: 'oci' },
  );
  await pushIndex(
    registry,
    repository,
    ['v5'],
    [
      { created: daysAgo(37), arch: 'amd64' },
      { created: daysAgo(37), arch: 'arm64' },
    ],
    { format: 'docker' },
  );
  const recent = await pushImage(registry, repository, ['v4'], { created: daysAgo(1) });
  await tagExisting(registry, repository, 'latest', recent.digest);
}

const MIX_DELETED = ['v1', 'v2', 'v2-alias', 'v3', 'v5'];
const MIX_KEPT = ['latest', 'v4'];

async function digestsOf(
  target: RegistryClientTarget,
  repository: string,
  tags: readonly string[],
): Promise<Record<string, string>> {
  const entries = await Promise.all(
    tags.map(async (tag) => [tag, (await getManifest(target, repository, tag)).digest] as const),
  );
  return Object.fromEntries(entries);
}

/** What `docker pull --platform` needs of an index: each platform manifest, config and layer. */
async function pullEveryPlatform(
  target: RegistryClientTarget,
  repository: string,
  tag: string,
): Promise<string[]> {
  const client = clientFor(target);
  const index = JSON.parse((await getManifest(target, repository, tag)).bytes.toString()) as {
    manifests: { digest: string; platform: { architecture: string } }[];
  };
  const pulled: string[] = [];
  for (const child of index.manifests) {
    const manifest = await getManifest(target, repository, child.digest);
    assert.equal(manifest.digest, child.digest);
    const image = JSON.parse(manifest.bytes.toString()) as {
      config: { digest: string };
      layers: { digest: string }[];
    };
    for (const blob of [image.config, ...image.layers]) {
      const response = await client.request({
        method: 'GET',
        path: `/v2/${repository}/blobs/${blob.digest}`,
        repository,
      });
      assert.equal(response.status, 200, `${tag} ${child.platform.architecture}: ${blob.digest}`);
      const hash = `sha256:${createHash('sha256').update(response.body).digest('hex')}`;
      assert.equal(hash, blob.digest);
    }
    pulled.push(child.platform.architecture);
  }
  return pulled.sort();
}

/** The journal the run's summary names, read from the workspace. */
async function journalNamedIn(workspace: Workspace, result: CliResult): Promise<string> {
  const match = /journal: (\S+\.jsonl)/.exec(result.stdout);
  assert.ok(match?.[1] !== undefined, `the summary names the journal:\n${result.stdout}`);
  return readFile(join(workspace.dir, match[1]), 'utf8');
}

/** The restore table's RESULT per tag. */
function results(result: CliResult): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const line of result.stdout.split('\n')) {
    const match =
      /^\S+\s+(\S+)\s+sha256:[0-9a-f]{64}\s+(RESTORED|WOULD RESTORE|IN PLACE|LEFT ALONE|NOT RESTORABLE|FAILED)/.exec(
        line,
      );
    if (match?.[1] !== undefined && match[2] !== undefined) rows[match[1]] = match[2];
  }
  return rows;
}

const same = (value: string): Record<string, string> =>
  Object.fromEntries(MIX_DELETED.map((tag) => [tag, value]));

// Four independent registries: two cases at a time, so that their waits overlap.
describe('undo (issue 16)', { concurrency: 2 }, () => {
  for (const auth of ['basic', 'token'] as const) {
    describe(`undo with ${auth} auth: a real run, then --restore`, () => {
      let registry: RunningRegistry;
      let workspace: Workspace;
      let env: Record<string, string>;

      before(async () => {
        registry = await startRegistry({ auth });
        workspace = await createWorkspace();
        env = { REG_USER: registry.username ?? '', REG_PASSWORD: registry.password ?? '' };
      });
      after(async () => {
        await workspace.cleanup();
        await registry.stop();
      });

      it('brings every deleted tag back on its digest, index platforms pullable; twice is idempotent', async () => {
        const repository = 'undo/mix';
        await seedMix(registry, repository);
        const before = await digestsOf(registry, repository, MIX_DELETED);
        await workspace.writeConfig({
          'config.yaml': configYaml(registry.url),
          'manual.yaml': manualJob('mix', repository),
        });

        const run = await workspace.run(['--jobs', 'mix'], env);
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.deepEqual((await listTags(registry, repository)).sort(), MIX_KEPT);
        assert.match(
          run.stdout,
          /until it runs, `reg-cleaner --restore` can put the deleted tags back/i,
        );
        const journal = await journalNamedIn(workspace, run);
        assert.equal(journal.trim().split('\n').length, 4, 'one line per deleted digest');
        for (const secret of [registry.password ?? '', 'Authorization', 'Bearer', 'Basic ']) {
          assert.ok(secret !== '' && !journal.includes(secret), `the journal holds no ${secret}`);
        }
        const state = JSON.parse(
          await readFile(join(workspace.dir, 'cache/latest_cleanup.json'), 'utf8'),
        ) as Record<string, { journal?: string }>;
        assert.match(state['mix']?.journal ?? '', /^cache\/journal\/mix\/\d{8}T\d{6}Z\.jsonl$/);

        await registry.resetAccessLog();
        const dry = await workspace.run(['--restore', '--jobs', 'mix', '--dry-run'], env);
        assert.equal(dry.code, 0, dry.stdout + dry.stderr);
        assert.deepEqual(results(dry), same('WOULD RESTORE'));
        const dryWrites = (await registry.accessLog()).filter((entry) =>
          WRITE_METHODS.has(entry.method),
        );
        assert.deepEqual(dryWrites, [], 'a dry restore writes nothing');
        assert.deepEqual((await listTags(registry, repository)).sort(), MIX_KEPT);

        const restore = await workspace.run(['--restore', '--jobs', 'mix'], env);
        assert.equal(restore.code, 0, restore.stdout + restore.stderr);
        assert.deepEqual(results(restore), same('RESTORED'));
        assert.match(restore.stdout, /restore: restored 5, already in place 0/);
        assert.deepEqual(await digestsOf(registry, repository, MIX_DELETED), before);
        assert.deepEqual(await pullEveryPlatform(registry, repository, 'v3'), ['amd64', 'arm64']);
        assert.deepEqual(await pullEveryPlatform(registry, repository, 'v5'), ['amd64', 'arm64']);
        if (auth === 'token') {
          const scopes = registry.tokenRequests().map((request) => request.scope);
          assert.ok(scopes.includes(`repository:${repository}:pull,push`), scopes.join('; '));
        }

        await registry.resetAccessLog();
        const again = await workspace.run(['--restore', '--jobs', 'mix'], env);
        assert.equal(again.code, 0, again.stdout + again.stderr);
        assert.deepEqual(results(again), same('IN PLACE'));
        assert.match(again.stdout, /restore: restored 0, already in place 5/);
        const writes = (await registry.accessLog()).filter((entry) =>
          WRITE_METHODS.has(entry.method),
        );
        assert.deepEqual(writes, [], 'the second restore finds nothing to do');
      });
    });
  }

  describe('undo: what a restore must not do', { concurrency: 2 }, () => {
    let registry: RunningRegistry;

    before(async () => {
      registry = await startRegistry({ auth: 'none' });
    });
    after(async () => {
      await registry.stop();
    });

    it('leaves a tag pushed again since the deletion alone, and restores the others', async () => {
      const repository = 'undo/repushed';
      await pushImage(registry, repository, ['v1'], { created: daysAgo(40) });
      await pushImage(registry, repository, ['v2'], { created: daysAgo(39) });
      const workspace = await createWorkspace();
      try {
        await workspace.writeConfig({
          'config.yaml': anonymousConfigYaml(registry.url),
          'manual.yaml': manualJob('repushed', repository),
        });
        const original = await digestsOf(registry, repository, ['v1', 'v2']);
        const run = await workspace.run([]);
        assert.equal(run.code, 0, run.stdout + run.stderr);
        const rebuilt = await pushImage(registry, repository, ['v1'], {
          created: daysAgo(0),
          seed: 'v1 rebuilt',
        });

        const restore = await workspace.run(['--restore', '--jobs', 'repushed']);
        assert.equal(restore.code, 0, restore.stdout + restore.stderr);
        assert.deepEqual(results(restore), { v1: 'LEFT ALONE', v2: 'RESTORED' });
        assert.match(
          restore.stdout,
          new RegExp(`pushed again since: it now points at ${rebuilt.digest}`),
        );
        assert.deepEqual(await digestsOf(registry, repository, ['v1', 'v2']), {
          v1: rebuilt.digest,
          v2: original['v2'],
        });
      } finally {
        await workspace.cleanup();
      }
    });

    it('bad input (an unknown job, a job without a journal, a damaged journal) exits 2 before any request', async () => {
      // Through a proxy of its own: what it forwards is what this case sent, nothing else.
      const proxy = await startFaultProxy(registry.url);
      const workspace = await createWorkspace();
      try {
        await workspace.writeConfig({
          'config.yaml': anonymousConfigYaml(proxy.url),
          'manual.yaml': manualJob('never-ran', 'undo/none'),
        });
        await writeFile(join(workspace.dir, 'damaged.jsonl'), '{"format":1,"job":"x"}\n');
        for (const [args, why] of [
          [
            ['--restore', '--jobs', 'nope'],
            /"nope", which neither jobs\.yaml nor manual\.yaml declares/,
          ],
          [['--restore', '--jobs', 'never-ran'], /job never-ran has no deletion journal/],
          [
            ['--restore-from', 'damaged.jsonl'],
            /damaged\.jsonl, line 1: not a valid journal entry/,
          ],
          [['--restore-from', 'missing.jsonl'], /missing\.jsonl cannot be read \(ENOENT\)/],
        ] as const) {
          const result = await workspace.run([...args]);
          assert.equal(result.code, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
          assert.match(result.stderr, why);
        }
        assert.deepEqual(proxy.requests, [], 'nothing was sent to the registry');
      } finally {
        await proxy.stop();
        await workspace.cleanup();
      }
    });

    it('SIGKILL between the journal write and the DELETE leaves a journal that restores nothing wrong', async () => {
      const repository = 'undo/killed';
      const tags = ['v1', 'v2', 'v3', 'v4'];
      for (const [index, tag] of tags.entries()) {
        await pushImage(registry, repository, [tag], { created: daysAgo(40 - index) });
      }
      const original = await digestsOf(registry, repository, tags);
      const proxy = await startFaultProxy(registry.url);
      const workspace = await createWorkspace();
      try {
        await workspace.writeConfig({
          // One request at a time: the third DELETE is held right after its journal entry is flushed.
          'config.yaml': [
            `registry_url: ${proxy.url}`,
            'timeout: 5',
            'max_concurrent_requests: 1',
          ].join('\n'),
          'manual.yaml': manualJob('killed', repository),
        });
        const cli = workspace.spawn([]);
        let killed = false;
        proxy.addRule({
          method: 'DELETE',
          path: /\/manifests\//,
          when: { nth: 3 },
          fault: {
            kind: 'hold',
            phase: 'before',
            onHold: () => {
              killed = cli.child.kill('SIGKILL');
            },
          },
        });
        const crashed = await cli.result;
        assert.ok(killed, crashed.stdout + crashed.stderr);
        proxy.clearRules();
        const survivors = await listTags(registry, repository);
        assert.equal(survivors.length, 2, 'two DELETEs went out before the kill');

        const journals = join(workspace.dir, 'cache/journal/killed');
        const [file] = await readdir(journals);
        assert.ok(file !== undefined);
        // Deletions are journaled up to 4 at a time: the held DELETE's entry and maybe the next
        // one's are on disk, without their DELETE ever reaching the registry.
        const lines = (await readFile(join(journals, file), 'utf8')).trim().split('\n');
        assert.ok(
          lines.length >= 3,
          `the held DELETE was journaled first (${String(lines.length)})`,
        );

        const restore = await workspace.run(['--restore', '--jobs', 'killed']);
        assert.equal(restore.code, 0, restore.stdout + restore.stderr);
        const outcome = Object.values(results(restore));
        assert.equal(outcome.filter((value) => value === 'RESTORED').length, 2);
        assert.equal(outcome.filter((value) => value === 'IN PLACE').length, lines.length - 2);
        assert.equal(outcome.length, lines.length);
        assert.deepEqual(await digestsOf(registry, repository, tags), original);

        const again = await workspace.run(['--restore', '--jobs', 'killed']);
        assert.equal(again.code, 0, again.stdout + again.stderr);
        assert.match(
          again.stdout,
          new RegExp(`restore: restored 0, already in place ${String(lines.length)},`),
        );
      } finally {
        await proxy.stop();
        await workspace.cleanup();
      }
    });
  });

  // The garbage collector works on the whole storage: these cases get a registry of their own.
  describe('undo after the garbage collector ran', () => {
    let registry: RunningRegistry;

    before(async () => {
      registry = await startRegistry({ auth: 'none' });
    });
    after(async () => {
      await registry.stop();
    });

    it('after garbage-collect, refuses each manifest whose blobs are gone (exit 1, each tag named) and PUTs none of it', async () => {
      // Plain GC keeps an index's platform images (they are manifests of their own): that index
      // can still be restored. --delete-untagged removes them too: then nothing can.
      const workspace = await createWorkspace();
      try {
        await seedMix(registry, 'undo/gc-plain');
        await seedMix(registry, 'undo/gc-untagged');
        await workspace.writeConfig({
          'config.yaml': anonymousConfigYaml(registry.url),
          'manual.yaml':
            manualJob('plain', 'undo/gc-plain') + manualJob('untagged', 'undo/gc-untagged'),
        });
        const before = await digestsOf(registry, 'undo/gc-plain', ['v3', 'v5']);
        const run = await workspace.run([]);
        assert.equal(run.code, 0, run.stdout + run.stderr);

        await registry.garbageCollect();
        await registry.resetAccessLog();
        const plain = await workspace.run(['--restore', '--jobs', 'plain']);
        assert.equal(plain.code, 1, plain.stdout + plain.stderr);
        assert.deepEqual(results(plain), {
          v1: 'NOT RESTORABLE',
          v2: 'NOT RESTORABLE',
          'v2-alias': 'NOT RESTORABLE',
          v3: 'RESTORED',
          v5: 'RESTORED',
        });
        assert.match(plain.stdout, /undo\/gc-plain\s+v1\s.*garbage collector removed it/);
        assert.deepEqual(await digestsOf(registry, 'undo/gc-plain', ['v3', 'v5']), before);
        const puts = (await registry.accessLog())
          .filter((entry) => entry.method === 'PUT' && entry.path.includes('/undo/gc-plain/'))
          .map((entry) => entry.path);
        assert.ok(
          puts.every((path) => !/\/manifests\/(v1|v2|v2-alias)$/.test(path)),
          `nothing of a refused manifest is PUT: ${puts.join(', ')}`,
        );
        assert.deepEqual((await listTags(registry, 'undo/gc-plain')).sort(), [
          'latest',
          'v3',
          'v4',
          'v5',
        ]);

        await registry.garbageCollect({ deleteUntagged: true });
        const untagged = await workspace.run(['--restore', '--jobs', 'untagged']);
        assert.equal(untagged.code, 1, untagged.stdout + untagged.stderr);
        assert.deepEqual(results(untagged), same('NOT RESTORABLE'));
        for (const tag of MIX_DELETED) {
          assert.match(untagged.stdout, new RegExp(`undo/gc-untagged\\s+${tag}\\s`));
        }
        assert.deepEqual((await listTags(registry, 'undo/gc-untagged')).sort(), MIX_KEPT);
      } finally {
        await workspace.cleanup();
      }
    });
  });
});
