import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { JsonReportFile, scanJsonReport } from '../../../src/adapters/reports/json-report-file.js';
import { COPY_CHUNK_BYTES } from '../../../src/adapters/reports/file-range.js';
import type {
  ReportCounts,
  ReportHead,
  ReportRepository,
  ReportTail,
} from '../../../src/adapters/reports/json-report.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reg-cleaner-json-report-'));
  dirs.push(dir);
  return join(dir, 'run.json');
}

const COUNTS: ReportCounts = {
  examined: 1,
  unmatched: 0,
  kept: 1,
  deleted: 0,
  untagged: 0,
  failed: 0,
};

const HEAD: ReportHead = {
  schemaVersion: 2,
  tool: { name: 'reg-cleaner', version: '0.0.0-test' },
  job: { name: 'job' } as ReportHead['job'],
  rules: [],
  registry: 'https://registry.example.com',
  dryRun: true,
  mode: 'manual',
  startedAt: '2026-06-01T07:00:00.000Z',
};

function tail(status: ReportTail['status'], repositories: number): ReportTail {
  return {
    finishedAt: '2026-06-01T07:01:00.000Z',
    status,
    summary: { ...COUNTS, repositories, reclaimableBytes: 0 },
    errors: [],
    warnings: [],
    undo: null,
  };
}

/** A repository whose warning holds multi-byte text: offsets are counted in bytes. */
function repository(name: string): ReportRepository {
  return {
    name,
    status: 'success',
    summary: COUNTS,
    reclaimableBytes: 0,
    errors: [],
    warnings: [`größe of ${name}: 🐳`],
    tags: [],
  };
}

async function written(names: readonly string[]): Promise<JsonReportFile> {
  const file = await JsonReportFile.create(freshFile(), HEAD, tail('interrupted', 0));
  for (const [index, name] of names.entries()) {
    await file.add(repository(name), tail('interrupted', index + 1));
  }
  return file;
}

async function namesIn(path: string): Promise<string[]> {
  const names: string[] = [];
  await scanJsonReport(path, (entry) => {
    names.push(entry.name);
  });
  return names;
}

describe('JsonReportFile.finish (issue 25: name order, copied in pieces)', () => {
  it('puts repositories written out of order in code point order, every byte of each', async () => {
    const file = await written(['team/web', 'Team/zed', 'team/app', 'team/ápi']);
    await file.finish(tail('success', 4));
    const expected = ['Team/zed', 'team/app', 'team/web', 'team/ápi'];
    assert.deepEqual(await namesIn(file.path), expected);
    // Still one valid JSON document, with the final tail and every byte of each repository.
    const report = JSON.parse(await readFile(file.path, 'utf8')) as {
      status: string;
      repositories: ReportRepository[];
    };
    assert.equal(report.status, 'success');
    assert.deepEqual(
      report.repositories.map((entry) => entry.warnings[0]),
      expected.map((name) => `größe of ${name}: 🐳`),
    );
    // Replaced atomically: no temp file is left beside it.
    assert.deepEqual(await readdir(join(file.path, '..')), ['run.json']);
  });

  it('copies repositories larger than its buffer whole, a character cut between two pieces', async () => {
    const file = await JsonReportFile.create(freshFile(), HEAD, tail('interrupted', 0));
    // 'é' is two bytes: at an odd offset the copy buffer's edge falls inside one.
    const big = (name: string, fill: string): ReportRepository => ({
      ...repository(name),
      warnings: [fill.repeat(COPY_CHUNK_BYTES + 7)],
    });
    await file.add(big('b/big', 'é'), tail('interrupted', 1));
    await file.add(big('a/big', 'xé'), tail('interrupted', 2));
    await file.add(repository('c/small'), tail('interrupted', 3));
    await file.finish(tail('success', 3));
    const report = JSON.parse(await readFile(file.path, 'utf8')) as {
      repositories: ReportRepository[];
    };
    assert.deepEqual(
      report.repositories.map((entry) => entry.name),
      ['a/big', 'b/big', 'c/small'],
    );
    assert.equal(report.repositories[0]?.warnings[0], 'xé'.repeat(COPY_CHUNK_BYTES + 7));
    assert.equal(report.repositories[1]?.warnings[0], 'é'.repeat(COPY_CHUNK_BYTES + 7));
  });

  it('leaves a file already in order as it is (no rewrite)', async () => {
    const file = await written(['a/one', 'b/two']);
    const before = await stat(file.path);
    await file.finish(tail('success', 2));
    assert.equal((await stat(file.path)).ino, before.ino, 'the same file, not a sorted copy');
    const report = JSON.parse(await readFile(file.path, 'utf8')) as { status: string };
    assert.equal(report.status, 'success');
    assert.deepEqual(await namesIn(file.path), ['a/one', 'b/two']);
  });

  it('finishes a report without repositories', async () => {
    const file = await written([]);
    await file.finish(tail('success', 0));
    const report = JSON.parse(await readFile(file.path, 'utf8')) as { repositories: unknown[] };
    assert.deepEqual(report.repositories, []);
  });
});
