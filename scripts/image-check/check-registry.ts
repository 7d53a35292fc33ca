// A real registry for the image's dry run: `docker-registry serve` (CNCF distribution) on
// 127.0.0.1 with three small images of known ages, and the operator's config that points the
// image at it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecipeError } from './errors.js';
import { freePort, sleep } from './process.js';

export const CHECK_REPOSITORY = 'image-check/app';
/** Pushed with their images' ages in days; the check's job keeps 1 and deletes > 30 days. */
export const CHECK_TAGS: readonly (readonly [string, number])[] = [
  ['v1', 300],
  ['v2', 200],
  ['v3', 100],
];
/** What the dry run must plan to delete. */
export const CHECK_PLANNED = ['v1', 'v2'];

export interface CheckRegistry {
  url: string;
  stop(): Promise<void>;
}

export async function startRegistry(dir: string): Promise<CheckRegistry> {
  const port = await freePort();
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const configFile = join(dir, 'registry.yml');
  // JSON is YAML; version must be the string "0.1".
  writeFileSync(
    configFile,
    JSON.stringify({
      version: '0.1',
      log: { level: 'error', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: join(dir, 'storage') }, delete: { enabled: true } },
      http: { addr: `127.0.0.1:${String(port)}`, secret: 'image-check' },
    }),
  );
  const child = spawn('setpriv', ['--pdeathsig=SIGKILL', 'docker-registry', 'serve', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise((resolve) => child.on('close', resolve));
  const url = `http://127.0.0.1:${String(port)}`;
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new RecipeError(`docker-registry exited:\n${stderr}`);
    try {
      if ((await fetch(`${url}/v2/`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new RecipeError(`docker-registry did not answer within 15 s:\n${stderr}`);
    }
    await sleep(50);
  }
}

async function expectStatus(response: Response, status: number, what: string): Promise<Response> {
  if (response.status !== status)
    throw new RecipeError(`${what}: HTTP ${String(response.status)} ${await response.text()}`);
  return response;
}

async function pushBlob(url: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const start = await expectStatus(
    await fetch(`${url}/v2/${CHECK_REPOSITORY}/blobs/uploads/`, { method: 'POST' }),
    202,
    'start upload',
  );
  const location = new URL(start.headers.get('location') ?? '', url);
  location.searchParams.set('digest', digest);
  await expectStatus(
    await fetch(location, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    }),
    201,
    `upload ${digest}`,
  );
  return { digest, size: bytes.length };
}

/** One single-layer image per tag, each `created` the given number of days ago. */
export async function pushCheckImages(url: string): Promise<void> {
  for (const [tag, days] of CHECK_TAGS) {
    const created = new Date(Date.now() - days * 86_400_000).toISOString();
    const layer = await pushBlob(url, Buffer.from(`image-check layer ${tag}\n`));
    const config = await pushBlob(
      url,
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          created,
          rootfs: { type: 'layers', diff_ids: [layer.digest] },
          history: [{ created }],
        }),
      ),
    );
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...layer }],
    };
    await expectStatus(
      await fetch(`${url}/v2/${CHECK_REPOSITORY}/manifests/${tag}`, {
        method: 'PUT',
        headers: { 'content-type': manifest.mediaType },
        body: JSON.stringify(manifest),
      }),
      201,
      `push ${CHECK_REPOSITORY}:${tag}`,
    );
  }
}

export async function registryTags(url: string): Promise<string[]> {
  const response = await expectStatus(
    await fetch(`${url}/v2/${CHECK_REPOSITORY}/tags/list`),
    200,
    'list tags',
  );
  const body = (await response.json()) as { tags?: string[] | null };
  return (body.tags ?? []).sort();
}

/**
 * The operator's config, written as root (it is mounted read-only): the check's registry, and
 * the same job in manual.yaml (one-shot) and jobs.yaml (watch).
 */
export function writeCheckConfig(imageDir: string, url: string): void {
  const configDir = join(imageDir, 'config');
  rmSync(configDir, { recursive: true, force: true });
  mkdirSync(configDir, { recursive: true });
  writeFileSync(
    join(configDir, 'config.yaml'),
    `registry_url: ${JSON.stringify(url)}\ntimeout: 20\n`,
  );
  const job = (name: string, extra: string[]): string =>
    [
      `- name: ${name}`,
      '  description: written by scripts/image-check',
      '  repositories:',
      `    - ${CHECK_REPOSITORY}`,
      '  tag_regexps:',
      "    - '^v\\d+$'",
      '  save_last: 1',
      '  older_than_days: 30',
      ...extra,
      '',
    ].join('\n');
  writeFileSync(join(configDir, 'manual.yaml'), job('image-check', []));
  writeFileSync(
    join(configDir, 'jobs.yaml'),
    job('image-check-watch', ['  clean_every_n_hours: 24']),
  );
}
