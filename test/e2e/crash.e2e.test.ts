import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededRandom } from '../../testkit/random.js';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../support/fault-proxy.js';
import { listTags, pushImage, tagExisting } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { createWorkspace, type Workspace } from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

/**
 * Crash safety: the CLI is killed with SIGKILL at points of a deleting run chosen by a seeded
 * PRNG. The points are events, not times: the Nth request of a kind is held by the fault proxy
 * (before it reaches the registry, or after the registry executed it and before the answer goes
 * back), and the CLI is killed while it waits. With max_concurrent_requests: 1 the CLI can do
 * nothing else meanwhile, so each seed kills at exactly the same place on every run.
 *
 * After the kill: latest_cleanup.json parses (or is absent), the lock is stale, every tag the
 * contract keeps is still in the registry (asked directly) and nothing but planned deletions
 * happened; a rerun takes the stale lock over, finishes the job and leaves exactly the survivors.
 */

const SEEDS = [1, 4, 7, 11, 27, 30, 37];

const OLD = Array.from({ length: 20 }, (_, index) => `v${String(index + 1).padStart(2, '0')}`);
/** save_last 3 keeps v18-v20; v03 shares its digest with latest; v99 is recent. */
const SURVIVORS = ['latest', 'v03', 'v18', 'v19', 'v20', 'v99'].sort();
/** v05-alias shares v05's digest and is selected too: one DELETE for both. */
const DELETED = [...OLD.filter((tag) => !SURVIVORS.includes(tag)), 'v05-alias'].sort();
/** Digests deleted by a complete run: the 16 old, unshared, unsaved tags (v05 and its alias once). */
const DELETES = 16;
const MANIFEST_GETS = OLD.length + 2; // every matching tag: v01..v20, v05-alias, v99
const BLOB_GETS = OLD.length + 1; // one config per distinct image

interface KillPoint {
  readonly label: string;
  /** Any method when undefined. */
  readonly method: string | undefined;
  readonly path: RegExp;
  readonly nth: number;
  readonly phase: 'before' | 'after';
}

/** Seeded: mostly DELETEs (the dangerous part), sometimes during inspection. */
function killPoint(seed: number): KillPoint {
  const random = seededRandom(seed);
  const roll = random();
  const phase = random() < 0.5 ? 'before' : 'after';
  const pick = (count: number): number => 1 + Math.floor(random() * count);
  if (roll < 0.6) {
    const nth = pick(DELETES);
    return { label: `DELETE #${String(nth)}`, method: 'DELETE', path: /\/manifests\//, nth, phase };
  }
  if (roll < 0.8) {
    // GET or HEAD (a warm manifest cache confirms tags with HEAD); all of them come before any DELETE.
    const nth = pick(MANIFEST_GETS);
    return {
      label: `manifest request #${String(nth)}`,
      method: undefined,
      path: /\/manifests\//,
      nth,
      phase,
    };
  }
  const nth = pick(BLOB_GETS);
  return { label: `blob GET #${String(nth)}`, method: 'GET', path: /\/blobs\//, nth, phase };
}

async function seed(registry: RunningRegistry, repository: string): Promise<void> {
  const digests = new Map<string, string>();
  // Pushed at once: each image carries its own creation date, so the order does not matter.
  await Promise.all([
    ...OLD.map(async (tag, index) => {
      const { digest } = await pushImage(registry, repository, [tag], {
        created: daysAgo(60 - index),
      });
      digests.set(tag, digest);
    }),
    pushImage(registry, repository, ['v99'], { created: daysAgo(1) }),
  ]);
  await Promise.all([
    tagExisting(registry, repository, 'latest', digests.get('v03') ?? ''),
    tagExisting(registry, repository, 'v05-alias', digests.get('v05') ?? ''),
  ]);
}

interface State {
  readonly [job: string]: { success: boolean; dry_run: boolean } | undefined;
}

/** Parsing is the assertion: the state file is valid JSON whenever it exists. */
async function readState(workspace: Workspace): Promise<State | undefined> {
  let text: string;
  try {
    text = await readFile(join(workspace.dir, 'cache/latest_cleanup.json'), 'utf8');
  } catch {
    return undefined;
  }
  return JSON.parse(text) as State;
}

/** The crash job over `repository`, through `url`. */
function crashConfig(url: string, repository: string): Record<string, string> {
  return {
    'config.yaml': [
      `registry_url: ${url}`,
      'timeout: 5',
      // One request at a time: while the proxy holds one, the CLI can do nothing else.
      'max_concurrent_requests: 1',
    ].join('\n'),
    'manual.yaml': `
- name: crash
  repositories: [${repository}]
  tag_regexps: ['v']
  save_last: 3
  older_than_days: 5
`,
  };
}

describe('SIGKILL at seeded points of a deleting run', { concurrency: 2 }, () => {
  let registry: RunningRegistry;
  /** latest_cleanup.json of a dry run of the crash job: the record a killed run must leave intact. */
  let dryRunState: string;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    // One dry run for all seeds (dry runs never count for the next run, only their record is
    // used), over a repository of its own, seeded like the others.
    const repository = 'crash-dry/app';
    await seed(registry, repository);
    const workspace = await createWorkspace();
    try {
      await workspace.writeConfig(crashConfig(registry.url, repository));
      const dry = await workspace.run(['--debug']);
      assert.equal(dry.code, 0, dry.stderr);
      dryRunState = await readFile(join(workspace.dir, 'cache/latest_cleanup.json'), 'utf8');
      assert.equal((JSON.parse(dryRunState) as State)['crash']?.dry_run, true);
    } finally {
      await workspace.cleanup();
    }
  });

  after(async () => {
    await registry.stop();
  });

  for (const seedValue of SEEDS) {
    const point = killPoint(seedValue);
    const when = point.phase === 'before' ? 'before it reached' : 'after it reached';
    it(`seed ${String(seedValue)}: killed at ${point.label}, ${when} the registry; a rerun finishes`, async () => {
      const repository = `crash-${String(seedValue)}/app`;
      await seed(registry, repository);
      const proxy: FaultProxy = await startFaultProxy(registry.url);
      const workspace = await createWorkspace();
      try {
        await workspace.writeConfig(crashConfig(proxy.url, repository));
        // A state file exists when the real run is killed: the dry run's record (only the
        // record: a warm cache would spare the killed run its blob requests).
        await mkdir(join(workspace.dir, 'cache'));
        await writeFile(join(workspace.dir, 'cache/latest_cleanup.json'), dryRunState);

        const cli = workspace.spawn([]);
        let killed = false;
        const rule: FaultRule = {
          ...(point.method === undefined ? {} : { method: point.method }),
          path: point.path,
          when: { nth: point.nth },
          fault: {
            kind: 'hold',
            phase: point.phase,
            onHold: () => {
              killed = cli.child.kill('SIGKILL');
            },
          },
        };
        proxy.addRule(rule);
        const crashed = await cli.result;
        assert.ok(killed, `the run reached ${point.label}: ${crashed.stdout}${crashed.stderr}`);
        assert.equal(crashed.signal, 'SIGKILL');
        proxy.clearRules();

        // What the crash left behind.
        const state = await readState(workspace);
        assert.equal(state?.['crash']?.dry_run, true, 'the earlier record is intact');
        const cacheFiles = await readdir(join(workspace.dir, 'cache'));
        assert.ok(cacheFiles.includes('reg-cleaner.lock'), 'the killed run left its lock');
        const left = await listTags(registry, repository);
        for (const tag of SURVIVORS) assert.ok(left.includes(tag), `kept tag ${tag} is there`);
        const gone = [...SURVIVORS, ...DELETED].filter((tag) => !left.includes(tag));
        for (const tag of gone) assert.ok(DELETED.includes(tag), `${tag} was planned for deletion`);
        const executed = proxy.requests.filter(
          (entry) => entry.method === 'DELETE' && entry.upstreamStatus === 202,
        ).length;
        if (point.method === 'DELETE') {
          // Exactly the deletions before the kill point happened (plus the held one, if it got through).
          assert.equal(executed, point.nth - (point.phase === 'before' ? 1 : 0));
        } else {
          assert.equal(executed, 0, 'killed while inspecting: nothing deleted yet');
        }

        // The rerun takes the stale lock over and finishes the job.
        const rerun = await workspace.run([]);
        assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
        assert.deepEqual((await listTags(registry, repository)).sort(), SURVIVORS);
        const record = (await readState(workspace))?.['crash'];
        assert.equal(record?.success, true);
        assert.equal(record.dry_run, false);
        assert.ok(!(await readdir(join(workspace.dir, 'cache'))).includes('reg-cleaner.lock'));
      } finally {
        await proxy.stop();
        await workspace.cleanup();
      }
    });
  }
});
