import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { compareCodePoints } from '../../domain/code-point-order.js';
import { writeAtomically } from '../shared/files/atomic-write.js';
import { tempNameFor } from './reports-folder.js';

/** Enough of a repository line to hold `{"name":"<any registry name>"`. */
const NAME_PREFIX_BYTES = 4096;
const NAME_AT_START = /^,?\{"name":("(?:[^"\\]|\\.)*")/;

interface LineAt {
  readonly start: number;
  /** Bytes, without the newline. */
  readonly length: number;
  readonly prefix: string;
}

/**
 * Puts the repositories of a finished JSON report (json-report-file.ts's one-part-per-line
 * layout) in name order, code point by code point (issue 27, item 8). They are written as
 * they finish, an order that differs from run to run; sorted, the report of a dry run and of
 * the real run after it compare line by line, and the HTML and Markdown made from it follow.
 * Memory stays bounded: an index of line offsets, then one repository line at a time, into a
 * new file renamed over the old one. An already sorted file is left as it is.
 */
export async function sortJsonReport(path: string): Promise<void> {
  const lines = await indexLines(path);
  const head = lines[0];
  const tail = lines[lines.length - 1];
  if (head === undefined || tail === undefined || lines.length < 4) return;
  const handle = await open(path, 'r');
  try {
    const repositories: { readonly line: LineAt; readonly name: string }[] = [];
    for (const line of lines.slice(1, -1)) {
      repositories.push({ line, name: await nameOf(handle, line) });
    }
    const sorted = [...repositories].sort((a, b) => compareCodePoints(a.name, b.name));
    if (sorted.every((entry, index) => entry === repositories[index])) return;
    await writeAtomically(
      path,
      async (write) => {
        await write(`${await text(handle, head)}\n`);
        for (const [index, { line }] of sorted.entries()) {
          const json = (await text(handle, line)).replace(/^,/, '');
          await write(`${index === 0 ? '' : ','}${json}\n`);
        }
        await write(`${await text(handle, tail)}\n`);
      },
      { mode: 0o644, tempName: tempNameFor(path) },
    );
  } finally {
    await handle.close();
  }
}

/** Where each line of the file starts, how long it is, and its first bytes. */
async function indexLines(path: string): Promise<LineAt[]> {
  const lines: LineAt[] = [];
  let start = 0;
  let position = 0;
  let prefix: Buffer[] = [];
  let prefixBytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, from)) {
      keep(chunk.subarray(from, newline));
      const end = position + newline;
      lines.push({ start, length: end - start, prefix: Buffer.concat(prefix).toString('utf8') });
      start = end + 1;
      prefix = [];
      prefixBytes = 0;
      from = newline + 1;
    }
    keep(chunk.subarray(from));
    position += chunk.length;
  }
  // The writer ends every part with a newline: nothing is left after the last one.
  return lines.filter((line) => line.length > 0);

  function keep(part: Buffer): void {
    if (prefixBytes >= NAME_PREFIX_BYTES) return;
    const cut = part.subarray(0, NAME_PREFIX_BYTES - prefixBytes);
    prefix.push(cut);
    prefixBytes += cut.length;
  }
}

/** The repository's name from the start of its line; the whole line only if that fails. */
async function nameOf(handle: FileHandle, line: LineAt): Promise<string> {
  const quoted = NAME_AT_START.exec(line.prefix)?.[1];
  if (quoted !== undefined) return JSON.parse(quoted) as string;
  const parsed = JSON.parse((await text(handle, line)).replace(/^,/, '')) as { name?: unknown };
  if (typeof parsed.name !== 'string') throw new Error('a report line has no repository name');
  return parsed.name;
}

async function text(handle: FileHandle, line: LineAt): Promise<string> {
  const bytes = Buffer.alloc(line.length);
  let read = 0;
  while (read < line.length) {
    const { bytesRead } = await handle.read(bytes, read, line.length - read, line.start + read);
    if (bytesRead === 0) throw new Error('the report file changed while it was sorted');
    read += bytesRead;
  }
  return bytes.toString('utf8');
}
