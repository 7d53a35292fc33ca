// Runs the laid-out image the way a locked-down container runs it: as the image's USER
// (dropped to with setpriv, so the check starts as root), in a root-owned tree where only the
// VOLUMEs handed to that user are writable. A folder the Dockerfile forgets then fails the run
// with EACCES, as it would in Docker or under Kubernetes' readOnlyRootFilesystem.
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { inRoot } from './build.js';
import { RecipeError } from './errors.js';
import { imageNodeMajor, type FinalImage } from './plan.js';

type ImageUser = Pick<FinalImage, 'base' | 'user'>;

/** Users of the official node images; other names would need the image's /etc/passwd. */
const NODE_IMAGE_USERS = new Map([
  ['root', 0],
  ['node', 1000],
]);

/** `USER node` / `USER 1000:1000` -> numeric ids. */
export function imageUserIds(image: ImageUser): { uid: number; gid: number } {
  const [user = 'root', group] = (image.user ?? 'root').split(':');
  const idOf = (name: string): number => {
    if (/^\d+$/.test(name)) return Number(name);
    const known = imageNodeMajor(image.base) === undefined ? undefined : NODE_IMAGE_USERS.get(name);
    if (known === undefined) throw new RecipeError(`USER ${name}: unknown uid in ${image.base}`);
    return known;
  };
  const uid = idOf(user);
  return { uid, gid: group === undefined ? uid : idOf(group) };
}

export interface Ownership {
  path: string;
  owner: string;
}

/**
 * Which folders the USER may write, and why the others stay read-only: a VOLUME chowned to the
 * USER is writable; a folder chowned but not a VOLUME stays read-only (readOnlyRootFilesystem);
 * a VOLUME not handed to the USER stays root's, as Docker would leave it.
 */
export function writableVolumes(
  final: Pick<FinalImage, 'base' | 'user' | 'volumes'>,
  owners: readonly Ownership[],
): { writable: string[]; notes: string[] } {
  const { uid } = imageUserIds(final);
  const writable: string[] = [];
  const notes: string[] = [];
  for (const { path, owner } of owners) {
    if (!final.volumes.includes(path))
      notes.push(
        `${path}: chown ${owner} but not a VOLUME: stays read-only (readOnlyRootFilesystem)`,
      );
    else if (imageUserIds({ ...final, user: owner }).uid !== uid)
      notes.push(`${path}: chown ${owner}, not the USER ${final.user ?? 'root'}: stays read-only`);
    else if (!writable.includes(path)) writable.push(path);
  }
  for (const volume of final.volumes)
    if (!writable.includes(volume))
      notes.push(`VOLUME ${volume} is not handed to ${final.user ?? 'root'}: it stays read-only`);
  return { writable, notes };
}

/**
 * Makes the final stage's root what a container of it gets: everything root-owned and
 * read-only for the USER except the writable VOLUMEs, which are chowned to it.
 */
export function lockDown(
  tmp: string,
  finalRoot: string,
  final: FinalImage,
  owners: readonly Ownership[],
  log: (line: string) => void,
): void {
  const { uid, gid } = imageUserIds(final);
  if (uid === 0) throw new RecipeError('the image runs as root; set a USER');
  // mkdtemp makes 0700 folders: the user must reach the image to run it.
  for (let dir = finalRoot; dir.startsWith(tmp); dir = dirname(dir)) chmodSync(dir, 0o755);
  for (const volume of final.volumes)
    if (!existsSync(inRoot(finalRoot, volume)))
      throw new RecipeError(`VOLUME ${volume} is not created by the image`);
  const { writable, notes } = writableVolumes(final, owners);
  for (const path of writable) chownSync(inRoot(finalRoot, path), uid, gid);
  for (const note of notes) log(`  ${note}`);
  log(
    `as uid ${String(uid)}: writable ${writable.join(' ') || 'nothing'}; everything else read-only`,
  );
}

/** The image's node: a copy of ours in /usr/local/bin (ours may sit under root's 0700 home). */
export function installNode(finalRoot: string): string {
  const target = inRoot(finalRoot, '/usr/local/bin/node');
  mkdirSync(dirname(target), { recursive: true });
  cpSync(process.execPath, target);
  chmodSync(target, 0o755);
  return target;
}

/** `argv` as the image's user, tied to us (pdeathsig): fails unless we run as root. */
export function asImageUser(final: ImageUser, argv: readonly string[]): string[] {
  const { uid, gid } = imageUserIds(final);
  if (process.getuid?.() !== 0)
    throw new RecipeError(
      `the check runs the image as uid ${String(uid)} and must start as root to drop to it (CI runs as root)`,
    );
  return [
    'setpriv',
    `--reuid=${String(uid)}`,
    `--regid=${String(gid)}`,
    '--clear-groups',
    '--pdeathsig=SIGKILL',
    '--',
    ...argv,
  ];
}
