import { spawn } from 'node:child_process';
import { RegistryError } from '../../../application/ports/registry.port.js';
import { CREDENTIAL_HELPER_NAME } from '../registry-settings.js';

/** What `docker-credential-<name> get` answered. */
export type HelperAnswer =
  | { readonly kind: 'found'; readonly username: string; readonly secret: string }
  | { readonly kind: 'not-found' };

/** Runs a credential helper for one server (a stub in unit tests). */
export type AskHelper = (helper: string, server: string) => Promise<HelperAnswer>;

/** The sentinel of docker-credential-helpers' `credentials/error.go`, printed on stdout. */
const NOT_FOUND = 'credentials not found in native keychain';
/** An answer is one small JSON object; more than this is not a helper speaking the protocol. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

export interface HelperOptions {
  readonly timeoutMs: number;
  /** The environment the helper runs in (PATH finds it); default: this process's. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The docker-credential-helpers protocol, `get` only: the server on stdin, `{Username, Secret}`
 * on stdout, or the not-found sentinel (exit 1). The program is `docker-credential-<helper>`
 * looked up on PATH and run without a shell, killed after the timeout. Its output may hold the
 * secret, so no message ever quotes it (nor its stderr).
 */
export function askCredentialHelper(
  helper: string,
  server: string,
  options: HelperOptions,
): Promise<HelperAnswer> {
  const program = `docker-credential-${helper}`;
  if (!CREDENTIAL_HELPER_NAME.test(helper)) {
    return Promise.reject(
      new RegistryError(
        'auth',
        `the credential helper name ${JSON.stringify(helper)} is not a plain name`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      reject(new RegistryError('auth', `the credential helper ${program} ${why}`));
    };
    const child = spawn(program, ['get'], {
      shell: false,
      stdio: ['pipe', 'pipe', 'ignore'],
      env: options.env ?? process.env,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      action();
    };
    const timer = setTimeout(() => {
      finish(() => {
        child.kill('SIGKILL');
        fail(`did not answer within ${String(Math.round(options.timeoutMs / 1000))} s`);
      });
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) {
        finish(() => {
          child.kill('SIGKILL');
          fail('answered with more than 1 MiB');
        });
        return;
      }
      chunks.push(chunk);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish(() => {
        fail(
          error.code === 'ENOENT'
            ? 'was not found on PATH (install it, or fix credHelpers/credsStore in the Docker config)'
            : `could not be started (${error.code ?? 'error'})`,
        );
      });
    });
    child.on('close', (code, signal) => {
      finish(() => {
        const output = Buffer.concat(chunks).toString('utf8').trim();
        if (code !== 0) {
          if (output.startsWith('credentials not found')) resolve({ kind: 'not-found' });
          else
            fail(signal === null ? `failed (exit code ${String(code)})` : `was killed (${signal})`);
          return;
        }
        const answer = parseAnswer(output);
        if (answer === undefined) fail('answered with something other than {Username, Secret}');
        else resolve(answer);
      });
    });
    // A helper that exits without reading stdin must not crash us with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(server);
  });
}

function parseAnswer(output: string): HelperAnswer | undefined {
  if (output === NOT_FOUND) return { kind: 'not-found' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const fields = parsed as Record<string, unknown>;
  const username = fields['Username'];
  const secret = fields['Secret'];
  if (typeof username !== 'string' || typeof secret !== 'string') return undefined;
  // An empty answer is how some helpers say "nothing stored" with exit code 0.
  if (username === '' && secret === '') return { kind: 'not-found' };
  return { kind: 'found', username, secret };
}
