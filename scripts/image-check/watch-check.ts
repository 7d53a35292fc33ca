// `docker run IMAGE` (the default CMD, with --dry-run) then `docker stop`: the HEALTHCHECK must
// pass (200 from /healthz), and SIGTERM (what tini forwards) must end the process promptly,
// with the lock released and the health probe failing afterwards.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunnableImage } from './dry-run-check.js';
import { RecipeError } from './errors.js';
import type { FinalImage } from './plan.js';
import {
  exitText,
  freePort,
  runProcess,
  seconds,
  sleep,
  startProcess,
  type Finished,
} from './process.js';

/** The HEALTHCHECK command as a shell line, with the image's WORKDIR mapped to the temp image. */
export function healthCommand(final: FinalImage, imageDir: string): string | undefined {
  const check = final.healthcheck;
  if (check === undefined || check.none) return undefined;
  const line = check.shell ?? (check.exec?.[0] === 'CMD-SHELL' ? check.exec[1] : undefined);
  return line?.split(`${final.workdir}/`).join(`${imageDir}/`);
}

/**
 * `--metrics-listen 0.0.0.0:P` -> `127.0.0.1:port`, and the health probe's `127.0.0.1:P` too:
 * the image listens on every interface of its own network, here that would be the host's.
 */
export function onLoopback(
  args: readonly string[],
  health: string | undefined,
  port: number,
): { args: string[]; health: string | undefined } {
  const moved = new Map<string, string>();
  const local = args.map((arg) => {
    const match = /^0\.0\.0\.0:(\d+)$/.exec(arg);
    if (match?.[1] === undefined) return arg;
    moved.set(match[1], String(port));
    return `127.0.0.1:${String(port)}`;
  });
  let probe = health;
  for (const [from, to] of moved)
    probe = probe?.split(`127.0.0.1:${from}/`).join(`127.0.0.1:${to}/`);
  return { args: local, health: probe };
}

async function probeStatus(line: string, image: RunnableImage): Promise<number | null> {
  const result = await runProcess(['/bin/sh', '-c', line], {
    cwd: image.dir,
    env: image.env,
    timeoutMs: 10_000,
  });
  return result.code;
}

export async function watchCheck(image: RunnableImage, log: (line: string) => void): Promise<void> {
  const { args, health } = onLoopback(
    [...(image.final.cmd ?? []), '--dry-run'],
    healthCommand(image.final, image.dir),
    await freePort(),
  );
  if (health === undefined) throw new RecipeError('the image has no HEALTHCHECK to wait for');
  log(`RUN ${[...image.command, ...args].join(' ')}, then SIGTERM (docker stop)`);
  const { child, output, exited } = startProcess(image.argv(args), {
    cwd: image.dir,
    env: image.env,
    echo: image.verbose,
  });
  let finished: Finished | undefined;
  void exited.then((result) => {
    finished = result;
  });
  const started = Date.now();
  try {
    let healthy = false;
    while (!healthy && finished === undefined && Date.now() < started + 30_000) {
      await sleep(250);
      healthy = (await probeStatus(health, image)) === 0;
    }
    if (finished !== undefined)
      throw new RecipeError(`the watch process exited early (${exitText(finished)}):\n${output()}`);
    if (!healthy)
      throw new RecipeError(`the HEALTHCHECK did not pass within 30 s: ${health}\n${output()}`);
    log(`  ok: /healthz 200 after ${seconds(started)} (${health})`);
    const stopping = Date.now();
    child.kill('SIGTERM');
    const stopped = await Promise.race([exited, sleep(45_000).then(() => undefined)]);
    if (stopped === undefined)
      throw new RecipeError(`SIGTERM did not end the process within 45 s:\n${output()}`);
    // 0 for a watch stopped while idle, 143 for one stopped during a run (README exit codes).
    if (stopped.code !== 0 && stopped.code !== 143)
      throw new RecipeError(`after SIGTERM the process exited ${exitText(stopped)}:\n${output()}`);
    if ((await probeStatus(health, image)) === 0)
      throw new RecipeError('the HEALTHCHECK still passes after the process stopped');
    if (existsSync(join(image.dir, 'cache', 'reg-cleaner.lock')))
      throw new RecipeError('the lock cache/reg-cleaner.lock is left after SIGTERM');
    log(`  ok: SIGTERM -> exit ${exitText(stopped)} in ${seconds(stopping)}, lock released`);
  } finally {
    if (finished === undefined) child.kill('SIGKILL');
  }
}
