import { redact } from '../shared/secrets/redact.js';
import { DEMO_JOBS_YAML, DEMO_REPOSITORIES, pushDemoImages } from './demo-images.js';
import { AnonymousPushClient } from './image-push/push-client.js';
import { DemoStepFailed, DemoStopped, runDemo } from './run-demo.js';

export interface DemoCommand {
  /** `--seed URL`: only push the demo images to the registry at URL (anonymous access). */
  readonly seedUrl?: string;
  readonly keep: boolean;
  readonly cliScript: string;
}

type StopSignal = 'SIGINT' | 'SIGTERM';

/** How the demo ended; the CLI's exit-codes module turns it into the exit code. */
export type DemoOutcome = 'done' | 'failed' | StopSignal;

/**
 * `reg-cleaner demo`: runs the demo (or only its seeding) and says how it ended: done, failed
 * (a step failed or the registry binary is missing: one line saying how to install it), or
 * stopped by a signal after cleaning up.
 */
export async function runDemoCommand(command: DemoCommand): Promise<DemoOutcome> {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  const onSignal = (signal: StopSignal): void => {
    received ??= signal;
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (command.seedUrl !== undefined) await seedOnly(command.seedUrl);
    else
      await runDemo({
        cliScript: command.cliScript,
        keep: command.keep,
        out: process.stdout,
        env: process.env,
        signal: controller.signal,
      });
    return received ?? 'done';
  } catch (error) {
    if (received !== undefined || error instanceof DemoStopped) {
      process.stderr.write('reg-cleaner demo: stopped; the registry is stopped and cleaned up\n');
      return received ?? 'SIGINT';
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`reg-cleaner demo: ${redact(message)}\n`);
    return 'failed';
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The Quick start's "push a few images": the demo's set, pushed to an existing registry. */
async function seedOnly(url: string): Promise<void> {
  const client = new AnonymousPushClient(url);
  try {
    const tags = await pushDemoImages(client, new Date()).catch((error: unknown) => {
      throw new DemoStepFailed(
        `pushing the demo images to ${url} failed (an anonymous registry with push access is needed): ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    process.stdout.write(
      `Pushed ${tags} tags to ${DEMO_REPOSITORIES.join(', ')} on ${url}, created from 400 days ago to today.\n` +
        `The demo's jobs for them (a manual.yaml):\n\n${DEMO_JOBS_YAML}`,
    );
  } finally {
    client.close();
  }
}
