const BLOCK = 512;

function writeField(header: Buffer, offset: number, length: number, value: string): void {
  header.write(value.slice(0, length), offset, length, 'ascii');
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/**
 * A ustar archive holding one regular file, with fixed mode, owner and mtime so equal input
 * gives equal bytes (and so equal digests). The registry never looks inside layers; a real
 * tar just keeps the synthetic images pullable by real tools.
 */
export function tarWithOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(BLOCK);
  writeField(header, 0, 100, name);
  writeField(header, 100, 8, octal(0o644, 8));
  writeField(header, 108, 8, octal(0, 8));
  writeField(header, 116, 8, octal(0, 8));
  writeField(header, 124, 12, octal(content.length, 12));
  writeField(header, 136, 12, octal(0, 12));
  writeField(header, 148, 8, ' '.repeat(8)); // the checksum is computed with its own field as spaces
  writeField(header, 156, 1, '0');
  writeField(header, 257, 6, 'ustar\0');
  writeField(header, 263, 2, '00');
  let checksum = 0;
  for (const byte of header) checksum += byte;
  writeField(header, 148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);

  const padding = Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK);
  const endOfArchive = Buffer.alloc(2 * BLOCK);
  return Buffer.concat([header, content, padding, endOfArchive]);
}
