// action.yml is what a workflow `uses:`: its inputs must become real flags of the CLI, and its
// outputs must be the step outputs the CLI writes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseCommandLine, type CliOptions } from '../../../../src/adapters/cli/command-line.js';
import { STEP_OUTPUTS } from '../../../../src/adapters/reports/github/step-results.observer.js';

interface Step {
  readonly id?: string;
  readonly run?: string;
  readonly env?: Record<string, string>;
}
interface Action {
  readonly inputs: Record<string, { readonly default?: string; readonly required?: boolean }>;
  readonly outputs: Record<string, { readonly value: string }>;
  readonly runs: { readonly using: string; readonly steps: readonly Step[] };
}

const ACTION = parse(readFileSync(join(process.cwd(), 'action.yml'), 'utf8')) as Action;
const RUN = ACTION.runs.steps.find((step) => step.id === 'run');

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs the action's script with bash, as the runner would, with a `node` on PATH that prints
 * the arguments it got; returns them as the CLI parses them.
 */
function argumentsFor(inputs: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'reg-cleaner-action-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'bin'));
  const node = join(dir, 'bin', 'node');
  writeFileSync(node, '#!/bin/sh\nshift\nprintf "%s\\0" "$@"\n');
  chmodSync(node, 0o755);
  const env: Record<string, string> = {
    PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? ''}`,
    GITHUB_ACTION_PATH: dir,
  };
  for (const [name, expression] of Object.entries(RUN?.env ?? {})) {
    const input = /^\$\{\{ inputs\.([\w-]+) \}\}$/.exec(expression)?.[1] ?? '';
    env[name] = inputs[input] ?? ACTION.inputs[input]?.default ?? '';
  }
  // How the runner runs a `shell: bash` step: the script in a file, bash --noprofile --norc.
  const script = join(dir, 'step.sh');
  writeFileSync(script, RUN?.run ?? 'exit 1');
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
    env,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`exit ${String(result.status)}: ${result.stdout}`);
  return result.stdout.split('\0').slice(0, -1);
}

function options(argv: readonly string[]): CliOptions {
  const parsed = parseCommandLine(argv);
  if (parsed.kind !== 'run') assert.fail(`not a run: ${argv.join(' ')}`);
  return parsed.options;
}

describe('action.yml', () => {
  it('declares the inputs config-dir, jobs and dry-run', () => {
    assert.deepEqual(Object.keys(ACTION.inputs).sort(), ['config-dir', 'dry-run', 'jobs']);
    assert.equal(ACTION.inputs['jobs']?.required, true);
    assert.equal(ACTION.runs.using, 'composite');
  });

  it('mirrors every step output the CLI writes', () => {
    assert.deepEqual(Object.keys(ACTION.outputs), [...STEP_OUTPUTS]);
    for (const name of STEP_OUTPUTS) {
      assert.equal(ACTION.outputs[name]?.value, `\${{ steps.run.outputs.${name} }}`);
    }
  });

  it('passes only inputs as variables, never pasted into the script', () => {
    assert.doesNotMatch(RUN?.run ?? '', /\$\{\{/);
  });

  it('turns the inputs into flags the CLI accepts', () => {
    const argv = argumentsFor({ 'config-dir': 'ci/config', jobs: 'dev prod', 'dry-run': 'true' });
    const parsed = options(argv);
    assert.equal(parsed.configDir, 'ci/config');
    assert.deepEqual(parsed.jobs, ['dev', 'prod']);
    assert.equal(parsed.dryRun, true);
  });

  it('takes one job per line (names may hold spaces) and runs for real by default', () => {
    const parsed = options(argumentsFor({ jobs: 'nightly clean\n  weekly\n\n' }));
    assert.deepEqual(parsed.jobs, ['nightly clean', 'weekly']);
    assert.equal(parsed.dryRun, false);
    assert.equal(parsed.configDir, './config');
  });

  it('refuses a dry-run input that is not true or false', () => {
    assert.throws(
      () => argumentsFor({ jobs: 'dev', 'dry-run': 'yes' }),
      /exit 2: ::error title=reg-cleaner::the dry-run input/,
    );
  });
});
