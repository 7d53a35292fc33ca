import bcrypt from 'bcryptjs';
import { writeFile } from 'node:fs/promises';

/**
 * distribution's htpasswd backend accepts only bcrypt entries. It checks the hash on every
 * request, so the lowest cost (4) keeps pushing hundreds of blobs fast; this is a test secret.
 */
export async function writeHtpasswd(
  file: string,
  username: string,
  password: string,
): Promise<void> {
  const hash = await bcrypt.hash(password, 4);
  await writeFile(file, `${username}:${hash}\n`, { mode: 0o600 });
}
