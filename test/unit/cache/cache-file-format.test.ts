import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  configLine,
  headerLine,
  readCacheFile,
  READ_CHUNK_BYTES,
  trailerLine,
  type CacheLine,
} from '../../../src/adapters/registry/cache/cache-file-format.js';

/**
 * The reader takes the file in chunks and each chunk's lines in one piece: lines cut by a
 * chunk boundary (a multi-byte character among them) must read back exactly, and the checksum
 * must still cover every byte before the trailer.
 */

const REGISTRY = 'https://registry.example';
const CHUNK = READ_CHUNK_BYTES;
const dir = mkdtempSync(join(tmpdir(), 'reg-cleaner-cache-format-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function digestOf(index: number): string {
  return `sha256:${createHash('sha256').update(String(index)).digest('hex')}`;
}

/** Undated-config lines until past two chunks; one `é` (two bytes) straddles the first boundary. */
function entries(): string[] {
  const lines: string[] = [];
  let bytes = Buffer.byteLength(`${headerLine(REGISTRY)}\n`);
  for (let index = 0; bytes < 2.5 * CHUNK; index += 1) {
    let problem = `no created field, image ${String(index)}`;
    let line = configLine({ digest: digestOf(index), problem });
    const before = bytes + line.indexOf(problem);
    // Pad the problem so that its `é` starts at the boundary's last byte.
    if (before < CHUNK && before + line.length > CHUNK) {
      problem = `${'x'.repeat(CHUNK - 1 - before)}é and more`;
      line = configLine({ digest: digestOf(index), problem });
    }
    lines.push(line);
    bytes += Buffer.byteLength(`${line}\n`);
  }
  return lines;
}

function fileOf(lines: readonly string[]): Buffer {
  const body = Buffer.from([headerLine(REGISTRY), ...lines].map((line) => `${line}\n`).join(''));
  const sum = createHash('sha256').update(body).digest('hex');
  return Buffer.concat([body, Buffer.from(`${trailerLine(sum, lines.length + 1)}\n`)]);
}

async function read(bytes: Buffer): Promise<{ result: unknown; seen: CacheLine[] }> {
  const path = join(dir, 'cache.jsonl');
  writeFileSync(path, bytes);
  const seen: CacheLine[] = [];
  const result = await readCacheFile(path, REGISTRY, (line) => seen.push(line));
  return { result, seen };
}

describe('readCacheFile over several chunks', () => {
  const lines = entries();
  const bytes = fileOf(lines);

  it('reads every line exactly, a multi-byte character cut by a chunk boundary included', async () => {
    assert.ok(bytes.length > 2 * CHUNK);
    assert.ok(
      bytes.subarray(CHUNK - 1, CHUNK + 1).equals(Buffer.from('é')),
      'é straddles the first boundary',
    );
    const { result, seen } = await read(bytes);
    assert.deepEqual(result, { ok: true, rejected: 0 });
    assert.deepEqual(
      seen.map((line) => (line.kind === 'config' ? configLine(line.entry) : line.kind)),
      lines,
    );
    assert.ok(
      seen.some(
        (line) =>
          line.kind === 'config' && 'problem' in line.entry && line.entry.problem.includes('é'),
      ),
    );
  });

  it('refuses the file when a byte of a later chunk changed', async () => {
    const damaged = Buffer.from(bytes);
    const at = damaged.indexOf('image', CHUNK + 1000);
    damaged.write('imagE', at);
    const { result } = await read(damaged);
    assert.deepEqual(result, {
      ok: false,
      why: 'the checksum does not match the content',
      corrupt: true,
    });
  });

  it('refuses a file cut short in the middle of a line', async () => {
    const { result } = await read(bytes.subarray(0, CHUNK + 77));
    assert.deepEqual(result, {
      ok: false,
      why: 'the file is truncated (no trailer line)',
      corrupt: true,
    });
  });

  it('refuses another registry at its first line, before reading on', async () => {
    const path = join(dir, 'other.jsonl');
    writeFileSync(path, bytes);
    const seen: CacheLine[] = [];
    const result = await readCacheFile(path, 'https://other.example', (line) => seen.push(line));
    assert.deepEqual(result, {
      ok: false,
      why: `it belongs to registry ${REGISTRY}`,
      corrupt: false,
    });
    assert.deepEqual(seen, []);
  });
});
