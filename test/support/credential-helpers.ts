import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Test credential helpers that follow the docker-credential-helpers protocol (`get`, the server
 * on stdin, `{ServerURL, Username, Secret}` on stdout, or the not-found sentinel with exit 1)
 * and record what they were asked. Written as `docker-credential-<name>` into a folder to put
 * on PATH; the program is Node itself (an absolute shebang), so PATH needs nothing else.
 */
export type HelperAnswer =
  | { readonly kind: 'found'; readonly username: string; readonly secret: string }
  | { readonly kind: 'not-found' }
  /** Exit 3 after printing `leak` on stdout and stderr (a helper may print the secret). */
  | { readonly kind: 'fail'; readonly leak: string }
  /** Never answers. */
  | { readonly kind: 'hang' };

export interface InstalledHelper {
  /** What each run was asked, in order: its arguments and its stdin. */
  asked(): Promise<{ args: string[]; server: string }[]>;
}

/**
 * Installs `docker-credential-<name>` in `binDir`; run n answers `answers[n]` (the last one
 * again once they run out), so that a test can script "a token, then a renewed one".
 */
export async function installHelper(
  binDir: string,
  name: string,
  answers: readonly HelperAnswer[],
): Promise<InstalledHelper> {
  const program = join(binDir, `docker-credential-${name}`);
  const record = join(binDir, `${name}.asked`);
  const script = `#!${process.execPath}
'use strict';
const fs = require('node:fs');
const answers = ${JSON.stringify(answers)};
const record = ${JSON.stringify(record)};
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const before = fs.existsSync(record) ? fs.readFileSync(record, 'utf8').split('\\n').filter(Boolean).length : 0;
  fs.appendFileSync(record, JSON.stringify({ args: process.argv.slice(2), server: input }) + '\\n');
  const answer = answers[Math.min(before, answers.length - 1)];
  if (answer.kind === 'found') {
    process.stdout.write(JSON.stringify({ ServerURL: input, Username: answer.username, Secret: answer.secret }));
  } else if (answer.kind === 'not-found') {
    process.stdout.write('credentials not found in native keychain\\n');
    process.exitCode = 1;
  } else if (answer.kind === 'fail') {
    process.stdout.write('cannot unlock the keychain: ' + answer.leak + '\\n');
    process.stderr.write('error: ' + answer.leak + '\\n');
    process.exitCode = 3;
  } else {
    setInterval(() => undefined, 60000);
  }
});
`;
  await writeFile(program, script);
  await chmod(program, 0o755);
  return {
    asked: async () => {
      let text: string;
      try {
        text = await readFile(record, 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { args: string[]; server: string });
    },
  };
}
