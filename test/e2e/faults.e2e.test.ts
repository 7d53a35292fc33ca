import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  startFaultProxy,
  startForeignHost,
  type FaultProxy,
  type FaultRule,
  type ForeignHost,
} from '../support/fault-proxy.js';
import { listTags, pushImage, tagExisting } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { createWorkspace, type CliResult } from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

/**
 * Faults injected between the CLI and the real registry (test/support/fault-proxy.ts). For each:
 * the run ends, retries are bounded, the failure is reported per tag or repository, the job goes
 * on with the other repository, the exit code says what happened (0 when the retries absorbed
 * it, 1 when a request failed for good), the state file is valid JSON and the registry itself
 * (asked directly, not through the proxy) still holds every tag the contract keeps.
 */

/** Per repository: dev-1..dev-5 old, dev-6 recent, latest on dev-1's digest. */
const ALL_TAGS = ['dev-1', 'dev-2', 'dev-3', 'dev-4', 'dev-5', 'dev-6', 'latest'];
/** save_last 1 keeps dev-5; dev-6 is recent; dev-1 shares its digest with latest. */
const KEPT = ['dev-1', 'dev-5', 'dev-6', 'latest'];
/** The retry policy: one attempt plus four retries. */
const MAX_ATTEMPTS = 5;

interface Seeded {
  readonly digests: ReadonlyMap<string, string>;
  readonly configs: ReadonlyMap<string, string>;
}

async function seed(registry: RunningRegistry, repository: string): Promise<Seeded> {
  const digests = new Map<string, string>();
  const configs = new Map<string, string>();
  // Pushed at once: each image carries its own creation date, so the order does not matter.
  await Promise.all(
    [1, 2, 3, 4, 5, 6].map(async (n) => {
      const tag = `dev-${String(n)}`;
      const pushed = await pushImage(registry, repository, [tag], {
        created: n === 6 ? daysAgo(1) : daysAgo(40 - n),
      });
      digests.set(tag, pushed.digest);
      configs.set(tag, pushed.configDigest);
    }),
  );
  await tagExisting(registry, repository, 'latest', digests.get('dev-1') ?? '');
  return { digests, configs };
}

interface Outcome {
  readonly result: CliResult;
  readonly proxy: FaultProxy;
  /** The job's record in latest_cleanup.json (parsing it is part of every test). */
  readonly record: {
    success: boolean;
    errors: string[];
    found_tags: { repository: string; tag: string; status: string }[];
  };
  /** Tags left, asked of the registry directly. */
  readonly faulted: string[];
  readonly healthy: string[];
  readonly seconds: number;
}

const sorted = (tags: readonly string[]): string[] => [...tags].sort();

// Each case has its own repositories, proxy and workspace; most of a case is waiting (for
// Retry-After, timeouts, the registry), so several run at once.
describe('faults between the CLI and the registry', { concurrency: 4 }, () => {
  let registry: RunningRegistry;
  let foreign: ForeignHost;
  let counter = 0;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    foreign = await startForeignHost();
  });

  after(async () => {
    await foreign.stop();
    await registry.stop();
  });

  /**
   * Seeds `f<n>/a` (the faulted repository) and `f<n>/b` (healthy), runs the job through a
   * fault proxy with `rules(a, seeded)` and gathers what happened.
   */
  async function run(
    rules: (repository: string, seeded: Seeded) => FaultRule[],
    options: { timeout?: number; warm?: boolean; env?: Record<string, string> } = {},
  ): Promise<Outcome> {
    counter += 1;
    const faultedRepository = `f${String(counter)}/a`;
    const healthyRepository = `f${String(counter)}/b`;
    const [seeded] = await Promise.all([
      seed(registry, faultedRepository),
      seed(registry, healthyRepository),
    ]);
    const proxy = await startFaultProxy(registry.url);
    const workspace = await createWorkspace();
    try {
      await workspace.writeConfig({
        'config.yaml': [
          `registry_url: ${proxy.url}`,
          `timeout: ${String(options.timeout ?? 2)}`,
          'max_concurrent_requests: 4',
          // The backoff between retries is the product's to pace, not what these tests check
          // (they count attempts); Retry-After and the timeouts above are still waited for.
          'retry_base_delay: 0.01',
        ].join('\n'),
        'manual.yaml': `
- name: faults
  repositories: [${faultedRepository}, ${healthyRepository}]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
`,
      });
      if (options.warm === true) {
        // A dry run without faults first: the next run finds every tag in its cache.
        const dry = await workspace.run(['--debug', '--jobs', 'faults']);
        assert.equal(dry.code, 0, dry.stdout + dry.stderr);
      }
      proxy.addRule(...rules(faultedRepository, seeded));
      const started = Date.now();
      const result = await workspace.run(['--jobs', 'faults'], options.env);
      const seconds = (Date.now() - started) / 1000;
      const state = JSON.parse(
        await readFile(join(workspace.dir, 'cache/latest_cleanup.json'), 'utf8'),
      ) as Record<string, Outcome['record']>;
      const record = state['faults'];
      assert.ok(record, 'the job has a record');
      return {
        result,
        proxy,
        record,
        faulted: sorted(await listTags(registry, faultedRepository)),
        healthy: sorted(await listTags(registry, healthyRepository)),
        seconds,
      };
    } finally {
      await proxy.stop();
      await workspace.cleanup();
    }
  }

  /** Retries absorbed the fault: exit 0, both repositories cleaned exactly as the contract says. */
  function assertAbsorbed(outcome: Outcome): void {
    const output = outcome.result.stdout + outcome.result.stderr;
    assert.equal(outcome.result.code, 0, output);
    assert.equal(outcome.record.success, true);
    assert.deepEqual(outcome.faulted, KEPT);
    assert.deepEqual(outcome.healthy, KEPT);
  }

  /**
   * A request failed for good in the faulted repository: exit 1, the failure reported, nothing
   * lost there, and the healthy repository still cleaned (the job went on).
   */
  function assertFailedFor(outcome: Outcome, repository: string, reported: RegExp): void {
    const output = outcome.result.stdout + outcome.result.stderr;
    assert.equal(outcome.result.code, 1, output);
    assert.equal(outcome.record.success, false);
    assert.ok(
      outcome.record.errors.some(
        (error) => error.startsWith(`${repository}:`) && reported.test(error),
      ),
      `state errors: ${JSON.stringify(outcome.record.errors)}`,
    );
    assert.match(outcome.result.stdout, new RegExp(`error: ${repository}: `));
    for (const tag of KEPT) assert.ok(outcome.faulted.includes(tag), `kept tag ${tag} survived`);
    assert.deepEqual(outcome.healthy, KEPT, 'the healthy repository was cleaned');
  }

  const manifest = (repository: string, tag: string): RegExp =>
    new RegExp(`^/v2/${repository}/manifests/${tag}$`);
  const tagList = (repository: string): RegExp => new RegExp(`^/v2/${repository}/tags/list`);
  const anyManifest = (repository: string): RegExp => new RegExp(`^/v2/${repository}/manifests/`);
  const anyBlob = (repository: string): RegExp => new RegExp(`^/v2/${repository}/blobs/`);

  it('429 with Retry-After: 1 twice on a manifest: waited, retried, exit 0', async () => {
    let path = /$^/;
    const outcome = await run((repository) => {
      path = manifest(repository, 'dev-3');
      return [
        {
          method: 'GET',
          path,
          when: { first: 2 },
          fault: { kind: 'status', status: 429, retryAfter: '1' },
        },
      ];
    });
    assertAbsorbed(outcome);
    assert.equal(outcome.proxy.count('GET', path), 3);
    assert.ok(outcome.seconds >= 2, `Retry-After honoured (${String(outcome.seconds)} s)`);
  });

  it('429 without Retry-After on the tag list: backoff, retried, exit 0', async () => {
    let path = /$^/;
    const outcome = await run((repository) => {
      path = tagList(repository);
      return [{ method: 'GET', path, when: { nth: 1 }, fault: { kind: 'status', status: 429 } }];
    });
    assertAbsorbed(outcome);
    assert.equal(outcome.proxy.count('GET', path), 2);
  });

  it('429 forever on a manifest: bounded retries, the tag fails, its repository is left alone, exit 1', async () => {
    let path = /$^/;
    let repository = '';
    const outcome = await run((name) => {
      repository = name;
      path = manifest(name, 'dev-3');
      return [{ method: 'GET', path, fault: { kind: 'status', status: 429, retryAfter: '1' } }];
    });
    assert.equal(outcome.proxy.count('GET', path), MAX_ATTEMPTS);
    assertFailedFor(outcome, repository, /tag dev-3: .*429/);
    // One unresolved tag makes every digest of the repository unverifiable: nothing deleted.
    assert.deepEqual(outcome.faulted, ALL_TAGS);
    assert.match(outcome.result.stdout, /unverifiable/);
  });

  it('500 on a manifest is not retried (not transient): the tag fails, exit 1', async () => {
    let path = /$^/;
    let repository = '';
    const outcome = await run((name) => {
      repository = name;
      path = manifest(name, 'dev-2');
      return [{ method: 'GET', path, when: { nth: 1 }, fault: { kind: 'status', status: 500 } }];
    });
    assert.equal(outcome.proxy.count('GET', path), 1);
    assertFailedFor(outcome, repository, /tag dev-2: .*500/);
    assert.deepEqual(outcome.faulted, ALL_TAGS);
  });

  it('502 once on the tag list: retried, exit 0', async () => {
    let path = /$^/;
    const outcome = await run((repository) => {
      path = tagList(repository);
      return [{ method: 'GET', path, when: { nth: 1 }, fault: { kind: 'status', status: 502 } }];
    });
    assertAbsorbed(outcome);
    assert.equal(outcome.proxy.count('GET', path), 2);
  });

  it('503 on the first two DELETEs: retried, exit 0, each digest deleted once', async () => {
    let path = /$^/;
    const outcome = await run((repository) => {
      path = anyManifest(repository);
      return [
        { method: 'DELETE', path, when: { first: 2 }, fault: { kind: 'status', status: 503 } },
      ];
    });
    assertAbsorbed(outcome);
    assert.equal(outcome.proxy.count('DELETE', path), 3 + 2);
    assert.equal(
      outcome.proxy.requests.filter(
        (entry) => entry.method === 'DELETE' && entry.forwarded && path.test(entry.path),
      ).length,
      3,
    );
  });

  it('504 forever on one DELETE: bounded retries, that tag fails, the other deletions go on, exit 1', async () => {
    let path = /$^/;
    let repository = '';
    const outcome = await run((name, seeded) => {
      repository = name;
      path = manifest(name, seeded.digests.get('dev-3') ?? '');
      return [{ method: 'DELETE', path, fault: { kind: 'status', status: 504, retryAfter: '0' } }];
    });
    assert.equal(outcome.proxy.count('DELETE', path), MAX_ATTEMPTS);
    assert.equal(outcome.result.code, 1, outcome.result.stdout + outcome.result.stderr);
    assert.equal(outcome.record.success, false);
    assert.deepEqual(outcome.faulted, sorted([...KEPT, 'dev-3']));
    assert.deepEqual(outcome.healthy, KEPT);
    const failed = outcome.record.found_tags.find(
      (entry) => entry.repository === repository && entry.tag === 'dev-3',
    );
    assert.equal(failed?.status, 'failed');
    assert.match(outcome.result.stdout, /DELETE FAILED/);
  });

  it('connection reset in the middle of a manifest: retried, exit 0', async () => {
    let path = /$^/;
    const outcome = await run((repository) => {
      path = manifest(repository, 'dev-4');
      return [{ method: 'GET', path, when: { nth: 1 }, fault: { kind: 'reset' } }];
    });
    assertAbsorbed(outcome);
    assert.equal(outcome.proxy.count('GET', path), 2);
  });

  it('connection reset before any answer on a blob: retried, exit 0', async () => {
    let path = /$^/;
    const outcome = await run((repository) => {
      path = anyBlob(repository);
      return [
        { method: 'GET', path, when: { nth: 1 }, fault: { kind: 'reset', at: 'before-forward' } },
      ];
    });
    assertAbsorbed(outcome);
  });

  it('connection reset after the registry executed a DELETE: the retry finds it gone, exit 0', async () => {
    let path = /$^/;
    const outcome = await run((repository, seeded) => {
      path = manifest(repository, seeded.digests.get('dev-2') ?? '');
      return [
        { method: 'DELETE', path, when: { nth: 1 }, fault: { kind: 'reset', at: 'after-forward' } },
      ];
    });
    assertAbsorbed(outcome);
    const deletes = outcome.proxy.requests.filter(
      (entry) => entry.method === 'DELETE' && path.test(entry.path),
    );
    assert.deepEqual(
      deletes.map((entry) => [entry.upstreamStatus, entry.status]),
      [
        [202, undefined],
        [404, 404],
      ],
    );
  });

  it('a blob that stalls halfway past the timeout: abandoned, retried, exit 0', async () => {
    let path = /$^/;
    const outcome = await run((repository) => {
      path = anyBlob(repository);
      return [{ method: 'GET', path, when: { nth: 1 }, fault: { kind: 'stall' } }];
    });
    assertAbsorbed(outcome);
    assert.ok(outcome.seconds >= 2, 'waited for the 2 s timeout');
  });

  it('a manifest that always stalls: the run still ends, bounded attempts, exit 1', async () => {
    let path = /$^/;
    let repository = '';
    const outcome = await run(
      (name) => {
        repository = name;
        path = manifest(name, 'dev-5');
        return [{ method: 'GET', path, fault: { kind: 'stall' } }];
      },
      { timeout: 1 },
    );
    assert.equal(outcome.proxy.count('GET', path), MAX_ATTEMPTS);
    assertFailedFor(outcome, repository, /tag dev-5: .*timeout/);
    assert.deepEqual(outcome.faulted, ALL_TAGS);
    assert.ok(outcome.seconds < 40, `ended in ${String(outcome.seconds)} s`);
  });

  it('a truncated tag list: that repository fails, the other is cleaned, exit 1', async () => {
    let repository = '';
    const outcome = await run((name) => {
      repository = name;
      return [{ method: 'GET', path: tagList(name), fault: { kind: 'truncate' } }];
    });
    assertFailedFor(outcome, repository, /not JSON/);
    assert.deepEqual(outcome.faulted, ALL_TAGS);
  });

  it('a truncated config blob: the digest check refuses it, nothing deleted there, exit 1', async () => {
    let repository = '';
    const outcome = await run((name, seeded) => {
      repository = name;
      const config = seeded.configs.get('dev-2') ?? '';
      return [
        { method: 'GET', path: new RegExp(`/blobs/${config}$`), fault: { kind: 'truncate' } },
      ];
    });
    assertFailedFor(outcome, repository, /tag dev-2: .*does not match its digest/);
    assert.deepEqual(outcome.faulted, ALL_TAGS);
  });

  it('manifests and a config cut short on their first answers: read again, every tag resolves in the first run, exit 0', async () => {
    let manifests = /$^/;
    let config = /$^/;
    const statsFile = join(tmpdir(), `reg-cleaner-truncated-${String(process.pid)}.json`);
    const outcome = await run(
      (repository, seeded) => {
        manifests = anyManifest(repository);
        config = new RegExp(`/blobs/${seeded.configs.get('dev-4') ?? ''}$`);
        return [
          // Every tag's first GET and the first retry of one of them: a cut on a retry too.
          { method: 'GET', path: manifests, when: { first: 8 }, fault: { kind: 'truncate' } },
          { method: 'GET', path: config, when: { nth: 1 }, fault: { kind: 'truncate' } },
        ];
      },
      { env: { REG_CLEANER_STATS_FILE: statsFile } },
    );
    try {
      assertAbsorbed(outcome);
      assert.ok(
        outcome.record.found_tags.every((tag) => tag.status !== 'unresolved'),
        JSON.stringify(outcome.record.found_tags),
      );
      assert.doesNotMatch(outcome.result.stdout, /unverifiable|unresolved/);
      // 7 tags read once each, 8 of those reads cut short and read again; the config twice.
      assert.equal(outcome.proxy.count('GET', manifests), 7 + 8);
      assert.equal(outcome.proxy.count('GET', config), 2);
      const stats = JSON.parse(await readFile(statsFile, 'utf8')) as { retries: number };
      assert.equal(stats.retries, 9, 'the request counters show each read again');
    } finally {
      await rm(statsFile, { force: true });
    }
  });

  it('a malformed manifest (HTML instead of JSON): the tag fails, nothing deleted there, exit 1', async () => {
    let repository = '';
    const outcome = await run((name) => {
      repository = name;
      return [{ method: 'GET', path: manifest(name, 'dev-3'), fault: { kind: 'malformed' } }];
    });
    assertFailedFor(
      outcome,
      repository,
      /tag dev-3: .*(not valid JSON|does not match the manifest)/,
    );
    assert.deepEqual(outcome.faulted, ALL_TAGS);
  });

  it('no Docker-Content-Digest on any manifest answer: digests from the body bytes, same result, exit 0', async () => {
    let path = /$^/;
    const outcome = await run((repository) => {
      path = anyManifest(repository);
      return [{ path, fault: { kind: 'drop-headers', headers: ['docker-content-digest'] } }];
    });
    assertAbsorbed(outcome);
    // latest (no pattern) is read with a GET too, its digest hashed from the body.
    assert.ok(outcome.proxy.count('GET', /\/manifests\/latest$/) >= 1);
  });

  it('a Docker-Content-Digest that does not match the body (on latest, which shares dev-1): refused, latest kept', async () => {
    let repository = '';
    const outcome = await run((name, seeded) => {
      repository = name;
      return [
        {
          path: manifest(name, 'latest'),
          fault: {
            kind: 'set-headers',
            headers: { 'docker-content-digest': seeded.digests.get('dev-6') ?? '' },
          },
        },
      ];
    });
    assertFailedFor(outcome, repository, /latest.*digest/);
    assert.deepEqual(outcome.faulted, ALL_TAGS);
  });

  // A HEAD that disagrees with the GET of the same tag (a registry or proxy that mishandles
  // Accept on HEAD) would move `latest` off dev-1's digest on paper, and that digest would be
  // deleted with latest on it: a HEAD naming another digest is therefore checked with a GET.
  it('warm cache: a HEAD that names another known digest for latest is checked with a GET, latest kept, exit 0', async () => {
    let path = /$^/;
    const outcome = await run(
      (name, seeded) => {
        path = manifest(name, 'latest');
        return [
          {
            method: 'HEAD',
            path,
            fault: {
              kind: 'set-headers',
              headers: { 'docker-content-digest': seeded.digests.get('dev-6') ?? '' },
            },
          },
        ];
      },
      { warm: true },
    );
    assertAbsorbed(outcome);
    assert.ok(outcome.proxy.count('GET', path) >= 1, 'the moved tag was read again with a GET');
  });

  it('a wrong Content-Type on manifests and tag lists: the body decides, same result, exit 0', async () => {
    const outcome = await run((repository) => [
      {
        method: 'GET',
        path: anyManifest(repository),
        fault: { kind: 'set-headers', headers: { 'content-type': 'text/plain; charset=utf-8' } },
      },
      {
        method: 'GET',
        path: tagList(repository),
        fault: { kind: 'set-headers', headers: { 'content-type': 'text/html' } },
      },
    ]);
    assertAbsorbed(outcome);
  });

  it('a next-page Link to another host: not followed, the repository fails, exit 1', async () => {
    let repository = '';
    const outcome = await run((name) => {
      repository = name;
      return [
        {
          method: 'GET',
          path: tagList(name),
          fault: {
            kind: 'set-headers',
            headers: {
              link: `<${foreign.url}/v2/${name}/tags/list?last=dev-6&n=1000>; rel="next"`,
            },
          },
        },
      ];
    });
    assertFailedFor(outcome, repository, /another host/);
    assert.deepEqual(outcome.faulted, ALL_TAGS);
    assert.equal(foreign.requests.filter((entry) => entry.path.includes(repository)).length, 0);
  });

  it('config blobs redirected to another host: fetched from there, exit 0', async () => {
    let repository = '';
    const outcome = await run((name) => {
      repository = name;
      return [
        {
          method: 'GET',
          path: anyBlob(name),
          fault: {
            kind: 'redirect',
            to: (path, body) => foreign.serve(`/storage${path}?X-Amz-Signature=s3cr3t`, body),
          },
        },
      ];
    });
    assertAbsorbed(outcome);
    const fetched = foreign.requests.filter((entry) =>
      entry.path.startsWith(`/storage/v2/${repository}/`),
    );
    assert.equal(fetched.length, 6, 'one GET per config, each from the other host');
  });
});
