import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  cacheFileName,
  FileManifestCache,
  type FileManifestCacheOptions,
} from '../../../src/adapters/registry/cache/file-manifest-cache.adapter.js';
import { CACHE_VERSION } from '../../../src/adapters/registry/cache/cache-file-format.js';
import type { ParsedManifest } from '../../../src/adapters/registry/manifests/manifest.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';

const REGISTRY = 'https://registry.example.com';
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reg-cleaner-cache-'));
  dirs.push(dir);
  return dir;
}

function digest(seed: string): string {
  return `sha256:${createHash('sha256').update(seed).digest('hex')}`;
}

function cacheIn(
  dir: string,
  options: FileManifestCacheOptions & { url?: string; logger?: RecordingLogger } = {},
): { cache: FileManifestCache; logger: RecordingLogger } {
  const logger = options.logger ?? new RecordingLogger();
  const cache = new FileManifestCache(
    dir,
    {
      url: options.url ?? REGISTRY,
      timeoutMs: 1000,
      maxConcurrentRequests: 1,
      insecure: false,
      httpLogs: false,
    },
    logger,
    options,
  );
  cache.dispose();
  return { cache, logger };
}

const IMAGE: ParsedManifest = {
  kind: 'image',
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  bytes: 528,
  configDigest: digest('config-1'),
  configSize: 1_469,
  layers: [
    { digest: digest('layer-base'), size: 3_370_706 },
    { digest: digest('layer-app'), size: 12_345 },
  ],
};
const INDEX: ParsedManifest = {
  kind: 'index',
  mediaType: 'application/vnd.oci.image.index.v1+json',
  bytes: 743,
  children: [
    {
      digest: digest('child-amd64'),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      platform: 'linux/amd64',
    },
    { digest: digest('child-arm64'), mediaType: undefined, platform: 'linux/arm64/v8' },
  ],
};
const CREATED = new Date('2024-05-05T05:05:05.123Z');

/** The facts a cached manifest answers with (it also carries the digest it describes). */
function facts(manifest: ParsedManifest | undefined): ParsedManifest | undefined {
  if (manifest === undefined) return undefined;
  if (manifest.kind === 'image') {
    const { kind, mediaType, bytes, configDigest, configSize, layers } = manifest;
    return { kind, mediaType, bytes, configDigest, configSize, layers };
  }
  const { kind, mediaType, bytes, children } = manifest;
  return { kind, mediaType, bytes, children };
}

/** A cache file as this version writes it, with a correct checksum around `lines`. */
function cacheFile(lines: readonly string[], registry = REGISTRY, version = CACHE_VERSION): string {
  const body = [
    JSON.stringify({ format: 'reg-cleaner-registry-cache', version, registry }),
    ...lines,
  ]
    .map((line) => `${line}\n`)
    .join('');
  const sha256 = createHash('sha256').update(body).digest('hex');
  return `${body}${JSON.stringify({ sha256, lines: lines.length + 1 })}\n`;
}

describe('FileManifestCache', () => {
  it('reads back in a new process what an earlier one learnt', async () => {
    const dir = freshDir();
    const { cache } = cacheIn(dir);
    await cache.putManifest(digest('image'), IMAGE);
    await cache.putManifest(digest('index'), INDEX);
    await cache.putConfigDate(digest('config-1'), { ok: true, date: CREATED });
    await cache.putConfigDate(digest('config-2'), { ok: false, problem: 'no "created"' });
    await cache.putTagDigest('team/app', '1.0', digest('image'));
    await cache.flush();

    const { cache: next, logger } = cacheIn(dir);
    assert.deepEqual(facts(await next.getManifest(digest('image'))), IMAGE);
    assert.deepEqual(facts(await next.getManifest(digest('index'))), INDEX);
    assert.deepEqual(await next.getConfigDate(digest('config-1')), { ok: true, date: CREATED });
    assert.deepEqual(await next.getConfigDate(digest('config-2')), {
      ok: false,
      problem: 'no "created"',
    });
    assert.equal(await next.getTagDigest('team/app', '1.0'), digest('image'));
    assert.equal(await next.getTagDigest('team/app', '2.0'), undefined);
    assert.equal(await next.getTagDigest('team/other', '1.0'), undefined);
    assert.deepEqual(logger.entries, []);
  });

  it('writes atomically: no temp file is left, and nothing is written when nothing was used', async () => {
    const dir = freshDir();
    const { cache } = cacheIn(dir);
    await cache.flush();
    assert.deepEqual(await readdir(dir), []);
    await cache.putTagDigest('team/app', '1.0', digest('image'));
    await Promise.all([cache.flush(), cache.flush()]);
    assert.deepEqual(await readdir(dir), [cacheFileName(REGISTRY)]);
  });

  it('does not rewrite the file for a run that only used what it held, unless a bound is near', async () => {
    const dir = freshDir();
    const file = join(dir, cacheFileName(REGISTRY));
    const { cache } = cacheIn(dir);
    await cache.putManifest(digest('image'), IMAGE);
    await cache.putTagDigest('team/app', '1.0', digest('image'));
    await cache.flush();
    const written = (await stat(file)).ino;

    // A warm run: every answer from the cache, nothing new learnt.
    const { cache: warm } = cacheIn(dir);
    assert.equal(await warm.getTagDigest('team/app', '1.0'), digest('image'));
    assert.deepEqual(facts(await warm.getManifest(digest('image'))), IMAGE);
    await warm.flush();
    assert.equal((await stat(file)).ino, written);

    // Near a bound the order decides what goes first: it is written again.
    const { cache: full } = cacheIn(dir, { limits: { tags: 1 } });
    assert.equal(await full.getTagDigest('team/app', '1.0'), digest('image'));
    await full.flush();
    const rewritten = (await stat(file)).ino;
    assert.notEqual(rewritten, written);

    // Something new is always written.
    const { cache: learning } = cacheIn(dir);
    await learning.putTagDigest('team/app', '2.0', digest('image'));
    await learning.flush();
    assert.notEqual((await stat(file)).ino, rewritten);
    const { cache: next } = cacheIn(dir);
    assert.equal(await next.getTagDigest('team/app', '2.0'), digest('image'));
  });

  it('reads the file when asked to preload, before the first question', async () => {
    const dir = freshDir();
    const { cache } = cacheIn(dir);
    await cache.putTagDigest('team/app', '1.0', digest('image'));
    await cache.flush();
    const { cache: next, logger } = cacheIn(dir);
    await next.preload();
    await rm(join(dir, cacheFileName(REGISTRY)));
    assert.equal(await next.getTagDigest('team/app', '1.0'), digest('image'));
    assert.deepEqual(logger.entries, []);
  });

  it('keeps one file per registry URL and never reads another registry into this one', async () => {
    const dir = freshDir();
    const { cache: first } = cacheIn(dir, { url: 'https://one.example.com/v2/' });
    await first.putTagDigest('team/app', '1.0', digest('one'));
    await first.flush();
    const { cache: second } = cacheIn(dir, { url: 'https://two.example.com' });
    assert.equal(await second.getTagDigest('team/app', '1.0'), undefined);
    await second.putTagDigest('team/app', '1.0', digest('two'));
    await second.flush();
    assert.equal((await readdir(dir)).length, 2);

    // A file copied under another registry's name is ignored, not trusted.
    await writeFile(
      join(dir, cacheFileName('https://two.example.com')),
      await readFile(join(dir, cacheFileName('https://one.example.com')), 'utf8'),
    );
    const { cache: copied, logger } = cacheIn(dir, { url: 'https://two.example.com' });
    assert.equal(await copied.getTagDigest('team/app', '1.0'), undefined);
    assert.match(logger.text(), /belongs to registry https:\/\/one\.example\.com/);
  });

  it('is bounded per kind and forgets the least recently used first, across processes', async () => {
    const dir = freshDir();
    const limits = { tags: 3, manifests: 2, configs: 2 };
    const { cache } = cacheIn(dir, { limits });
    for (const tag of ['a', 'b', 'c']) await cache.putTagDigest('team/app', tag, digest(tag));
    assert.equal(await cache.getTagDigest('team/app', 'a'), digest('a')); // a is now recent
    await cache.putTagDigest('team/app', 'd', digest('d')); // b goes
    for (const seed of ['m1', 'm2', 'm3']) await cache.putManifest(digest(seed), IMAGE);
    for (const seed of ['c1', 'c2', 'c3']) {
      await cache.putConfigDate(digest(seed), { ok: true, date: CREATED });
    }
    await cache.flush();

    const { cache: next } = cacheIn(dir, { limits });
    assert.equal(await next.getTagDigest('team/app', 'b'), undefined);
    for (const tag of ['a', 'c', 'd'])
      assert.equal(await next.getTagDigest('team/app', tag), digest(tag));
    assert.equal(await next.getManifest(digest('m1')), undefined);
    assert.deepEqual(facts(await next.getManifest(digest('m3'))), IMAGE);
    assert.equal(await next.getConfigDate(digest('c1')), undefined);
    const text = await readFile(join(dir, cacheFileName(REGISTRY)), 'utf8');
    assert.equal(text.trim().split('\n').length, 1 + 2 + 2 + 3 + 1);

    // Lower limits on a bigger file keep the most recent entries.
    const { cache: smaller } = cacheIn(dir, { limits: { tags: 1, manifests: 1, configs: 1 } });
    assert.equal(await smaller.getTagDigest('team/app', 'd'), digest('d'));
    assert.equal(await smaller.getTagDigest('team/app', 'c'), undefined);
  });

  for (const [label, damage] of [
    ['truncated', (text: string) => text.slice(0, Math.floor(text.length / 2))],
    ['without its trailer', (text: string) => text.slice(0, text.lastIndexOf('{"sha256"'))],
    ['with one date changed', (text: string) => text.replace('2024-05-05', '2021-05-05')],
    ['not JSON at all', () => 'this is not a cache\n'],
    ['empty', () => ''],
  ] as const) {
    it(`moves a file ${label} aside with a warning and starts empty`, async () => {
      const dir = freshDir();
      const { cache } = cacheIn(dir);
      await cache.putConfigDate(digest('config-1'), { ok: true, date: CREATED });
      await cache.putTagDigest('team/app', '1.0', digest('image'));
      await cache.flush();
      const file = join(dir, cacheFileName(REGISTRY));
      await writeFile(file, damage(await readFile(file, 'utf8')));

      const { cache: next, logger } = cacheIn(dir);
      assert.equal(await next.getConfigDate(digest('config-1')), undefined);
      assert.equal(await next.getTagDigest('team/app', '1.0'), undefined);
      assert.ok(
        logger.entries.some((entry) => entry.level === 'warn' && /moved aside/.test(entry.message)),
      );
      assert.ok((await readdir(dir)).includes(`${cacheFileName(REGISTRY)}.corrupt`));

      // Rebuilt from what the run learns.
      await next.putTagDigest('team/app', '1.0', digest('again'));
      await next.flush();
      const { cache: rebuilt, logger: quiet } = cacheIn(dir);
      assert.equal(await rebuilt.getTagDigest('team/app', '1.0'), digest('again'));
      assert.deepEqual(quiet.entries, []);
    });
  }

  it('ignores entries that are not exactly right, with one warning, and keeps the others', async () => {
    const dir = freshDir();
    const good = digest('good');
    const LAYERS = [
      [digest('layer-base'), 3_370_706],
      [digest('layer-app'), 12_345],
    ];
    const lines = [
      JSON.stringify(['m', good, IMAGE.mediaType, 528, digest('config-1'), 1_469, LAYERS]),
      JSON.stringify(['m', 'sha256:short', IMAGE.mediaType, 528, digest('config-1'), 1, LAYERS]), // not a digest
      JSON.stringify(['m', digest('bad-config'), IMAGE.mediaType, 528, 'latest', 1, LAYERS]), // config not a digest
      JSON.stringify(['m', digest('no-sizes'), IMAGE.mediaType, digest('config-1')]), // version 1 shape
      JSON.stringify(['m', digest('bad-size'), IMAGE.mediaType, -1, digest('config-1'), 1, LAYERS]),
      JSON.stringify([
        'm',
        digest('bad-layer'),
        IMAGE.mediaType,
        1,
        digest('config-1'),
        1,
        [['x', 1]],
      ]),
      JSON.stringify([
        'i',
        digest('bad-index'),
        INDEX.mediaType,
        743,
        [['nope', null, 'linux/amd64']],
      ]),
      JSON.stringify(['c', digest('config-1'), '2024-05-05T05:05:05Z']),
      JSON.stringify(['c', digest('bad-date'), 'last tuesday']),
      JSON.stringify(['c', digest('extra'), '2024-05-05T05:05:05Z', 'extra field']),
      JSON.stringify(['t', 'team/app', '1.0', good]),
      JSON.stringify(['t', 'team/app', '2.0', 'sha256:zz']),
      JSON.stringify(['x', good]),
      '{"not": "an entry"}',
    ];
    await writeFile(join(dir, cacheFileName(REGISTRY)), cacheFile(lines));
    const { cache, logger } = cacheIn(dir);
    assert.deepEqual(facts(await cache.getManifest(good)), IMAGE);
    assert.equal(await cache.getManifest(digest('bad-config')), undefined);
    assert.equal(await cache.getManifest(digest('bad-index')), undefined);
    for (const bad of ['no-sizes', 'bad-size', 'bad-layer']) {
      assert.equal(await cache.getManifest(digest(bad)), undefined, bad);
    }
    assert.deepEqual(await cache.getConfigDate(digest('config-1')), {
      ok: true,
      date: new Date('2024-05-05T05:05:05Z'),
    });
    assert.equal(await cache.getConfigDate(digest('bad-date')), undefined);
    assert.equal(await cache.getConfigDate(digest('extra')), undefined);
    assert.equal(await cache.getTagDigest('team/app', '1.0'), good);
    assert.equal(await cache.getTagDigest('team/app', '2.0'), undefined);
    const warnings = logger.entries.filter((entry) => entry.level === 'warn');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.fields['ignored'], 11);
  });

  it('answers only for the digest an entry was written for', async () => {
    const dir = freshDir();
    const { cache } = cacheIn(dir);
    await cache.putManifest(digest('image'), IMAGE);
    await cache.putConfigDate(digest('config-1'), { ok: true, date: CREATED });
    // Nothing is stored under a key that is not a digest, and no lookup crosses digests.
    await cache.putManifest('latest', IMAGE);
    await cache.putTagDigest('team/app', '1.0', 'not-a-digest');
    assert.equal(await cache.getManifest('latest'), undefined);
    assert.equal(await cache.getManifest(digest('config-1')), undefined);
    assert.equal(await cache.getConfigDate(digest('image')), undefined);
    assert.equal(await cache.getTagDigest('team/app', '1.0'), undefined);
    await cache.flush();
    const text = await readFile(join(dir, cacheFileName(REGISTRY)), 'utf8');
    assert.doesNotMatch(text, /latest|not-a-digest/);
  });

  it('ignores a version 1 file (no sizes) and replaces it with the current version at the next write', async () => {
    const dir = freshDir();
    const file = join(dir, cacheFileName(REGISTRY));
    const old = [
      JSON.stringify(['m', digest('image'), IMAGE.mediaType, digest('config-1')]),
      JSON.stringify(['t', 'team/app', '1.0', digest('image')]),
    ];
    await writeFile(file, cacheFile(old, REGISTRY, 1));
    const { cache, logger } = cacheIn(dir);
    // Not even the tag is trusted: a warm run would otherwise meet a digest without sizes.
    assert.equal(await cache.getTagDigest('team/app', '1.0'), undefined);
    assert.equal(await cache.getManifest(digest('image')), undefined);
    assert.match(logger.text(), /version 1/);
    await cache.putManifest(digest('image'), IMAGE);
    await cache.flush();
    const header = JSON.parse((await readFile(file, 'utf8')).split('\n', 1)[0] ?? '') as unknown;
    assert.deepEqual(header, {
      format: 'reg-cleaner-registry-cache',
      version: 2,
      registry: REGISTRY,
    });
    const { cache: next } = cacheIn(dir);
    assert.deepEqual(facts(await next.getManifest(digest('image'))), IMAGE);
  });

  it('ignores a file of another format version without moving it aside', async () => {
    const dir = freshDir();
    const file = join(dir, cacheFileName(REGISTRY));
    const body = `${JSON.stringify({ format: 'reg-cleaner-registry-cache', version: 99, registry: REGISTRY })}\n`;
    const sha256 = createHash('sha256').update(body).digest('hex');
    await writeFile(file, `${body}${JSON.stringify({ sha256, lines: 1 })}\n`);
    const { cache, logger } = cacheIn(dir);
    assert.equal(await cache.getTagDigest('team/app', '1.0'), undefined);
    assert.match(logger.text(), /version 99/);
    assert.ok(!(await readdir(dir)).some((name) => name.endsWith('.corrupt')));
  });

  it('warns and goes on when the state folder cannot be created', async () => {
    // Its parent is a regular file: mkdir fails with ENOTDIR, for root too (a chmod 500
    // folder stops only other users, and CI runs as root).
    const parent = join(freshDir(), 'a-file');
    await writeFile(parent, 'a file, not a folder');
    const { cache, logger } = cacheIn(join(parent, 'state'));
    await cache.putTagDigest('team/app', '1.0', digest('image'));
    await cache.flush();
    assert.match(logger.text(), /could not be written/);
  });

  it('warns and goes on when the state folder is a file', async () => {
    const parent = freshDir();
    const dir = join(parent, 'state');
    await writeFile(dir, 'a file, not a folder');
    const { cache, logger } = cacheIn(dir);
    assert.equal(await cache.getTagDigest('team/app', '1.0'), undefined);
    await cache.putTagDigest('team/app', '1.0', digest('image'));
    await cache.flush();
    assert.match(logger.text(), /could not be written/);
  });
});
