import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { JournalError } from '../../../src/application/ports/deletion-journal.port.js';
import { FileDeletionJournal } from '../../../src/adapters/journal/file-deletion-journal.adapter.js';
import {
  jobFolderName,
  parseJournalFileName,
  runStamp,
} from '../../../src/adapters/journal/journal-files.js';
import type { JournalEntry, ManifestCopy } from '../../../src/domain/deletion-journal.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';
import { DAY_MS } from '../../../testkit/dates.js';

const START = new Date('2026-06-01T12:00:05.123Z');

function copy(
  text: string,
  mediaType = 'application/vnd.oci.image.manifest.v1+json',
): ManifestCopy {
  const bytes = Buffer.from(text);
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, mediaType, bytes };
}

function entry(overrides: Partial<JournalEntry> = {}): JournalEntry {
  return {
    repository: 'team/app',
    manifest: { ...copy('{"schemaVersion":2,"layers":[]}'), children: [] },
    tags: ['v1', 'v1-alias'],
    job: 'clean',
    runStartedAt: START,
    ...overrides,
  };
}

describe('FileDeletionJournal (issue 16)', () => {
  let dir: string;
  let logger: RecordingLogger;
  let journal: FileDeletionJournal;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reg-cleaner-journal-'));
    logger = new RecordingLogger();
    journal = new FileDeletionJournal(dir, { keepDays: 30 }, logger);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends one JSON line per entry to <state>/journal/<job>/<UTC start>.jsonl and reads the exact bytes back', async () => {
    const index = {
      ...copy('{"manifests":[]}', 'application/vnd.oci.image.index.v1+json'),
      children: [copy('{"platform":"amd64"}'), copy('{"platform":"arm64"}')],
    };
    const first = await journal.record(entry());
    const second = await journal.record(entry({ manifest: index, tags: ['multi'] }));

    assert.equal(first, join(dir, 'journal', 'clean', '20260601T120005Z.jsonl'));
    assert.equal(second, first);
    const lines = (await readFile(first, 'utf8')).split('\n');
    assert.equal(lines.length, 3, 'two lines and the final newline');
    const line = JSON.parse(lines[1] ?? '') as Record<string, unknown>;
    assert.deepEqual(Object.keys(line).sort(), [
      'childManifests',
      'children',
      'digest',
      'format',
      'job',
      'manifest',
      'mediaType',
      'repository',
      'runStartedAt',
      'tags',
    ]);
    assert.deepEqual(
      line['children'],
      index.children.map((child) => child.digest),
    );
    assert.equal(line['manifest'], Buffer.from('{"manifests":[]}').toString('base64'));
    assert.equal((await stat(first)).mode & 0o777, 0o600);

    const read = await journal.read(first);
    assert.deepEqual(read, [entry(), entry({ manifest: index, tags: ['multi'] })]);
  });

  it('gives a second run of the job in the same second its own file, and names the latest', async () => {
    const first = await journal.record(entry());
    const again = new FileDeletionJournal(dir, { keepDays: 30 }, logger);
    const second = await again.record(entry({ runStartedAt: new Date(START.getTime() + 500) }));
    assert.notEqual(second, first);
    assert.match(second, /20260601T120005Z-2\.jsonl$/);
    assert.equal(await journal.latest('clean'), second);
    assert.equal(await journal.latest('other'), undefined);
  });

  it("lastRun: the latest journal, or every shard's latest of the newest split (issue 24)", async () => {
    const at = (minutes: number): Date => new Date(START.getTime() + minutes * 60_000);
    const inFolder = (folder: string): FileDeletionJournal =>
      new FileDeletionJournal(join(dir, folder), { keepDays: 30 }, logger);
    assert.deepEqual(await journal.lastRun('clean'), []);
    const unsharded = await journal.record(entry({ runStartedAt: at(0) }));
    assert.deepEqual(await journal.lastRun('clean'), [unsharded]);
    // An older split into 2, then the newest run split into 3 (shard 1 deleted nothing).
    await inFolder('shard-0-of-2').record(entry({ runStartedAt: at(5) }));
    await inFolder('shard-0-of-3').record(entry({ runStartedAt: at(9) }));
    const zero = await inFolder('shard-0-of-3').record(entry({ runStartedAt: at(10) }));
    const two = await inFolder('shard-2-of-3').record(entry({ runStartedAt: at(11) }));
    await inFolder('shard-1-of-3').record(entry({ job: 'other', runStartedAt: at(12) }));
    await mkdir(join(dir, 'shard-3-of-3'), { recursive: true });
    assert.deepEqual(await journal.lastRun('clean'), [zero, two]);
    // A shard's own folder has no shard folders: its last run is its latest journal.
    assert.deepEqual(await inFolder('shard-2-of-3').lastRun('clean'), [two]);
    // An unsharded run after the split is the last run again.
    const later = await journal.record(entry({ runStartedAt: at(20) }));
    assert.deepEqual(await journal.lastRun('clean'), [later]);
  });

  it('concurrent appends all land, each as a whole line', async () => {
    const entries = Array.from({ length: 40 }, (_, n) => entry({ tags: [`t${String(n)}`] }));
    const paths = await Promise.all(entries.map((item) => journal.record(item)));
    assert.equal(new Set(paths).size, 1);
    const read = await journal.read(paths[0] ?? '');
    assert.deepEqual(
      read.map((item) => item.tags[0]).sort(),
      entries.map((item) => item.tags[0]).sort(),
    );
  });

  it('ignores a torn last line (a crash while appending), with a warning', async () => {
    const path = await journal.record(entry());
    await writeFile(path, (await readFile(path, 'utf8')) + '{"format":1,"job":"cl', { flag: 'w' });
    assert.equal((await journal.read(path)).length, 1);
    assert.match(logger.text(), /last line of the journal is incomplete/);
  });

  it('refuses a journal whose bytes do not hash to their digest, naming the file and line', async () => {
    const path = await journal.record(entry());
    const text = await readFile(path, 'utf8');
    const tampered = text.replace(
      /"manifest":"[^"]+"/,
      `"manifest":"${Buffer.from('{}').toString('base64')}"`,
    );
    await writeFile(path, tampered + text);
    await assert.rejects(
      journal.read(path),
      (error: unknown) =>
        error instanceof JournalError &&
        error.message.includes(`${path}, line 1`) &&
        /do not hash to that digest/.test(error.message),
    );
  });

  it('refuses a file that is no journal, and a missing one, as bad input', async () => {
    const path = join(dir, 'notes.jsonl');
    await writeFile(path, 'hello\n');
    await assert.rejects(journal.read(path), JournalError);
    await assert.rejects(journal.read(join(dir, 'missing.jsonl')), /cannot be read \(ENOENT\)/);
  });

  it("prune removes the job's journals older than journal_keep_days, and only those", async () => {
    const short = new FileDeletionJournal(dir, { keepDays: 2 }, logger);
    const old = await short.record(entry({ runStartedAt: new Date(START.getTime() - 3 * DAY_MS) }));
    const recent = await short.record(entry({ runStartedAt: new Date(START.getTime() - DAY_MS) }));
    const otherJob = await short.record(
      entry({ job: 'other', runStartedAt: new Date(START.getTime() - 9 * DAY_MS) }),
    );
    await writeFile(join(dir, 'journal', 'clean', 'README'), 'not a journal');

    await short.prune('clean', START);
    const left = await readdir(join(dir, 'journal', 'clean'));
    assert.deepEqual(left.sort(), ['README', recent.split('/').at(-1)].sort());
    assert.ok(!left.includes(old.split('/').at(-1) ?? ''));
    assert.equal((await readdir(join(dir, 'journal', 'other'))).length, 1, otherJob);
    await short.prune('never-ran', START);
  });

  it('keeps job names that are not file names apart', async () => {
    for (const job of ['a/b', '..', 'a b', 'ä']) {
      await journal.record(entry({ job }));
    }
    const folders = (await readdir(join(dir, 'journal'))).sort();
    assert.deepEqual(folders, ['%2E%2E', '%C3%A4', 'a%20b', 'a%2Fb']);
    assert.equal(jobFolderName('clean-dev_1'), 'clean-dev_1');
    assert.match((await journal.latest('a/b')) ?? '', /a%2Fb/);
  });

  it('a failed append fails every later one of that file, so a damaged line can only be the last', async () => {
    const path = await journal.record(entry());
    await rm(join(dir, 'journal'), { recursive: true });
    await mkdir(path, { recursive: true }); // the file is now a folder: appending fails
    await assert.rejects(journal.record(entry()));
    await rm(path, { recursive: true });
    await assert.rejects(journal.record(entry()), /EISDIR/);
  });
});

describe('journal file names', () => {
  it('are the UTC start of the run, and parse back', () => {
    assert.equal(runStamp(START), '20260601T120005Z');
    assert.deepEqual(parseJournalFileName('20260601T120005Z-3.jsonl'), {
      name: '20260601T120005Z-3.jsonl',
      startedAt: new Date('2026-06-01T12:00:05Z'),
      attempt: 3,
    });
    assert.equal(parseJournalFileName('20260601T120005Z.jsonl.tmp'), undefined);
    assert.equal(parseJournalFileName('20261301T120005Z.jsonl'), undefined);
  });
});
