import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { createWorkspace } from './cli-harness.js';

/**
 * The bad-input table: malformed configurations and command lines. Each must give exit code 2
 * and a message naming the file, the job and the field where they apply, print no report, write
 * no state, and send nothing to the registry. The last point is checked from the registry's
 * side: every case points at the one real registry under its own path prefix (/case-N), and its
 * access log must stay empty (a stray request would name its case).
 */

const execFileAsync = promisify(execFile);

/** Found in no output of any case: values the CLI must never echo. */
const SECRETS = ['Sup3rSecretInUrl', 'Pr0xyS3cret', '987654321', 'EnvS3cretValue'];

const MANUAL = `
- name: a
  repositories: [team/app]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
`;

const JOBS = `
- name: w
  repositories: [team/app]
  tag_regexps: ['dev-']
  save_last: 1
  older_than_days: 5
  clean_every_n_hours: 24
`;

/** A manual.yaml with one valid job `a`, one of whose `key: value` lines is replaced or added. */
function manualWith(line: string): string {
  const key = line.slice(0, line.indexOf(':'));
  const defaults: Record<string, string> = {
    repositories: '[team/app]',
    tag_regexps: "['dev-']",
    save_last: '1',
    older_than_days: '5',
  };
  const lines = Object.entries(defaults)
    .filter(([name]) => name !== key)
    .map(([name, value]) => `  ${name}: ${value}`);
  return `- name: a\n${[...lines, `  ${line}`].join('\n')}\n`;
}

interface Case {
  readonly name: string;
  /** Files of the config folder, over the valid defaults; null removes one. */
  readonly files?: Readonly<Record<string, string | null>>;
  /** Called with the workspace folder and its config folder, after the files are written. */
  readonly setup?: (dir: string, configDir: string) => Promise<void>;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Every pattern must match stderr. */
  readonly expect: readonly RegExp[];
}

const CONFIG = 'config/config.yaml';
const MANUAL_FILE = 'config/manual.yaml';
const JOBS_FILE = 'config/jobs.yaml';
const at = (file: string, where: string, message: string): RegExp =>
  new RegExp(`${file.replace(/\./g, '\\.')}: ${where}${where === '' ? '' : ': '}${message}`);
const field = (name: string): string => `field ${name.replace(/[[\]]/g, '\\$&')}`;
const jobField = (job: string, name: string): string => `job "${job}" ${field(name)}`;

/** `url` is the registry's URL with this case's own path prefix. */
function cases(url: (id: number) => string): Case[] {
  const base = (id: number, extra = ''): string => `registry_url: ${url(id)}\ntimeout: 5\n${extra}`;
  const list: ((id: number) => Case)[] = [
    // Files: YAML syntax, emptiness, wrong kinds of file.
    () => ({
      name: 'config.yaml is not valid YAML',
      files: { 'config.yaml': 'registry_url: [unclosed\n' },
      expect: [at(CONFIG, '', 'invalid YAML at line \\d+, column \\d+')],
    }),
    (id) => ({
      name: 'manual.yaml indented with a tab',
      files: { 'config.yaml': base(id), 'manual.yaml': '- name: a\n\trepositories: [x]\n' },
      expect: [at(MANUAL_FILE, '', 'invalid YAML at line 2, column 1: a tab in the indentation')],
    }),
    (id) => ({
      name: 'a key twice in config.yaml',
      files: { 'config.yaml': base(id, 'timeout: 6\n') },
      expect: [at(CONFIG, '', 'invalid YAML at line 3.*unique')],
    }),
    () => ({
      name: 'config.yaml is empty',
      files: { 'config.yaml': '' },
      expect: [at(CONFIG, '', 'is empty')],
    }),
    () => ({
      name: 'config.yaml holds only a comment',
      files: { 'config.yaml': '# registry_url: http://x\n' },
      expect: [at(CONFIG, '', 'is empty')],
    }),
    (id) => ({
      name: 'manual.yaml is empty',
      files: { 'config.yaml': base(id), 'manual.yaml': '' },
      expect: [at(MANUAL_FILE, '', 'is empty')],
    }),
    () => ({
      name: 'config.yaml is a directory',
      files: { 'config.yaml': null },
      setup: (_dir, configDir) => mkdir(join(configDir, 'config.yaml')),
      expect: [at(CONFIG, '', 'is a directory')],
    }),
    (id) => ({
      name: 'manual.yaml is a dangling symlink',
      files: { 'config.yaml': base(id), 'manual.yaml': null },
      setup: (_dir, configDir) => symlink('gone.yaml', join(configDir, 'manual.yaml')),
      expect: [at(MANUAL_FILE, '', 'not found')],
    }),
    (id) => ({
      name: 'manual.yaml is a FIFO (reading it would block forever)',
      files: { 'config.yaml': base(id), 'manual.yaml': null },
      setup: async (_dir, configDir) => {
        await execFileAsync('mkfifo', [join(configDir, 'manual.yaml')]);
      },
      expect: [at(MANUAL_FILE, '', 'is not a regular file')],
    }),
    () => ({
      name: 'config.yaml is missing',
      files: { 'config.yaml': null },
      expect: [at(CONFIG, '', 'not found')],
    }),
    (id) => ({
      name: 'both config.yaml and config.yml',
      files: { 'config.yaml': base(id), 'config.yml': base(id) },
      expect: [/config\.yml.*keep only one/],
    }),
    (id) => ({
      name: 'config.yaml is a list',
      files: { 'config.yaml': `- registry_url: ${url(id)}\n` },
      expect: [at(CONFIG, '', 'must be a mapping')],
    }),
    (id) => ({
      name: 'manual.yaml is a mapping, not a list',
      files: { 'config.yaml': base(id), 'manual.yaml': 'name: a\nsave_last: 1\n' },
      expect: [at(MANUAL_FILE, '', 'must be a YAML list of jobs')],
    }),
    (id) => ({
      name: 'an alias bomb in manual.yaml (huge expansion)',
      files: { 'config.yaml': base(id), 'manual.yaml': aliasBomb() },
      expect: [at(MANUAL_FILE, '', 'invalid YAML')],
    }),
    () => ({
      name: '--config-dir does not exist',
      args: ['--config-dir', 'nowhere'],
      expect: [/nowhere: config folder not found/],
    }),
    () => ({
      name: '--config-dir is a file',
      setup: (dir) => writeFile(join(dir, 'plain-file'), 'x'),
      args: ['--config-dir', 'plain-file'],
      expect: [/plain-file: config folder not found/],
    }),
    // config.yaml: fields.
    () => ({
      name: 'registry_url missing',
      files: { 'config.yaml': 'timeout: 5\n' },
      expect: [at(CONFIG, field('registry_url'), 'is required')],
    }),
    (id) => ({
      name: 'registry_url is not http(s)',
      files: { 'config.yaml': `registry_url: ftp://127.0.0.1/case-${String(id)}\n` },
      expect: [at(CONFIG, field('registry_url'), 'must be an http:// or https:// URL')],
    }),
    (id) => ({
      name: 'registry_url with credentials in it (never echoed)',
      files: {
        'config.yaml': `registry_url: ${url(id).replace('//', '//cleaner:Sup3rSecretInUrl@')}\n`,
      },
      expect: [at(CONFIG, field('registry_url'), 'must not contain credentials')],
    }),
    (id) => ({
      name: 'registry_url with a query',
      files: { 'config.yaml': `registry_url: ${url(id)}?x=1\n` },
      expect: [at(CONFIG, field('registry_url'), 'must not contain a query')],
    }),
    (id) => ({
      name: 'timeout 0',
      files: { 'config.yaml': `registry_url: ${url(id)}\ntimeout: 0\n` },
      expect: [at(CONFIG, field('timeout'), 'must be between 1 and 120 seconds, got 0')],
    }),
    (id) => ({
      name: 'timeout huge (1e400 is infinity)',
      files: { 'config.yaml': `registry_url: ${url(id)}\ntimeout: 1e400\n` },
      expect: [at(CONFIG, field('timeout'), 'cannot be infinity')],
    }),
    (id) => ({
      name: 'timeout 121',
      files: { 'config.yaml': `registry_url: ${url(id)}\ntimeout: 121\n` },
      expect: [at(CONFIG, field('timeout'), 'must be between 1 and 120')],
    }),
    (id) => ({
      name: 'timeout quoted',
      files: { 'config.yaml': `registry_url: ${url(id)}\ntimeout: "20"\n` },
      expect: [at(CONFIG, field('timeout'), 'must be a number')],
    }),
    (id) => ({
      name: 'max_concurrent_requests 2.5',
      files: { 'config.yaml': base(id, 'max_concurrent_requests: 2.5\n') },
      expect: [at(CONFIG, field('max_concurrent_requests'), 'must be an integer')],
    }),
    (id) => ({
      name: 'max_concurrent_requests beyond any safe number',
      files: { 'config.yaml': base(id, 'max_concurrent_requests: 99999999999999999999\n') },
      expect: [at(CONFIG, field('max_concurrent_requests'), 'must be a safe number')],
    }),
    (id) => ({
      name: 'max_concurrent_requests 0',
      files: { 'config.yaml': base(id, 'max_concurrent_requests: 0\n') },
      expect: [at(CONFIG, field('max_concurrent_requests'), 'must be between 1 and 1000')],
    }),
    (id) => ({
      name: 'a misspelt key',
      files: { 'config.yaml': base(id, 'username: u\npasword: x\n') },
      expect: [at(CONFIG, field('pasword'), 'unknown key \\(did you mean password\\?\\)')],
    }),
    (id) => ({
      name: 'username without password',
      files: { 'config.yaml': base(id, 'username: cleaner\n') },
      expect: [at(CONFIG, field('password'), 'is required when username is set')],
    }),
    (id) => ({
      name: 'a password YAML reads as a number (never echoed)',
      files: { 'config.yaml': base(id, 'username: cleaner\npassword: 987654321\n') },
      expect: [at(CONFIG, field('password'), 'must be a string \\(put it in quotes')],
    }),
    (id) => ({
      name: 'password from an unset environment variable',
      files: {
        'config.yaml': base(id, 'username: cleaner\npassword: "__ENV: REG_CLEANER_UNSET_PW"\n'),
      },
      expect: [
        at(CONFIG, field('password'), 'environment variable REG_CLEANER_UNSET_PW is not set'),
      ],
    }),
    () => ({
      name: 'registry_url from an unset environment variable',
      files: { 'config.yaml': 'registry_url: "__ENV:REG_CLEANER_UNSET_URL"\n' },
      expect: [
        at(CONFIG, field('registry_url'), 'environment variable REG_CLEANER_UNSET_URL is not set'),
      ],
    }),
    (id) => ({
      name: 'username from an empty environment variable',
      files: {
        'config.yaml': base(
          id,
          'username: "__ENV: REG_CLEANER_EMPTY"\npassword: "__ENV: REG_CLEANER_PW"\n',
        ),
      },
      env: { REG_CLEANER_EMPTY: '', REG_CLEANER_PW: 'EnvS3cretValue' },
      expect: [at(CONFIG, field('username'), 'environment variable REG_CLEANER_EMPTY is empty')],
    }),
    (id) => ({
      name: 'an __ENV reference with an invalid variable name',
      files: { 'config.yaml': base(id, 'username: cleaner\npassword: "__ENV: 1BAD"\n') },
      expect: [
        at(CONFIG, field('password'), '"__ENV: 1BAD" is not a valid environment variable name'),
      ],
    }),
    (id) => ({
      name: 'an __ENV reference where none is allowed',
      files: { 'config.yaml': `registry_url: ${url(id)}\ntimeout: "__ENV: TIMEOUT"\n` },
      env: { TIMEOUT: '5' },
      expect: [at(CONFIG, field('timeout'), '"__ENV:" references work only for')],
    }),
    (id) => ({
      name: 'a proxy that is not an http(s) URL (its password never echoed)',
      files: { 'config.yaml': base(id, 'proxy: "socks5://user:Pr0xyS3cret@127.0.0.1:1080"\n') },
      expect: [at(CONFIG, field('proxy'), 'must be a URL like http://')],
    }),
    (id) => ({
      name: 'ca_file does not exist',
      files: { 'config.yaml': base(id, 'ca_file: missing-ca.pem\n') },
      expect: [at(CONFIG, field('ca_file'), '.*missing-ca\\.pem does not exist')],
    }),
    (id) => ({
      name: 'ca_file is a directory',
      files: { 'config.yaml': base(id, 'ca_file: certs\n') },
      setup: (_dir, configDir) => mkdir(join(configDir, 'certs')),
      expect: [at(CONFIG, field('ca_file'), '.*certs is not a regular file')],
    }),
    (id) => ({
      name: 'insecure is a string',
      files: { 'config.yaml': base(id, 'insecure: "yes"\n') },
      expect: [at(CONFIG, field('insecure'), 'must be a boolean')],
    }),
    // manual.yaml: jobs.
    (id) => ({
      name: 'a job without a name',
      files: {
        'config.yaml': base(id),
        'manual.yaml':
          "- repositories: [team/app]\n  tag_regexps: ['x']\n  save_last: 1\n  older_than_days: 1\n",
      },
      expect: [at(MANUAL_FILE, `job #1 ${field('name')}`, 'is required')],
    }),
    (id) => ({
      name: 'duplicate job names',
      files: { 'config.yaml': base(id), 'manual.yaml': MANUAL + MANUAL },
      expect: [at(MANUAL_FILE, jobField('a', 'name'), 'jobs #1 and #2 have the same name')],
    }),
    (id) => ({
      name: 'save_last negative',
      files: { 'config.yaml': base(id), 'manual.yaml': manualWith('save_last: -1') },
      expect: [at(MANUAL_FILE, jobField('a', 'save_last'), 'must be greater than or equal to 0')],
    }),
    (id) => ({
      name: 'save_last a fraction',
      files: { 'config.yaml': base(id), 'manual.yaml': manualWith('save_last: 1.5') },
      expect: [at(MANUAL_FILE, jobField('a', 'save_last'), 'must be an integer')],
    }),
    (id) => ({
      name: 'save_last huge (1e400)',
      files: { 'config.yaml': base(id), 'manual.yaml': manualWith('save_last: 1e400') },
      expect: [at(MANUAL_FILE, jobField('a', 'save_last'), 'cannot be infinity')],
    }),
    (id) => ({
      name: 'older_than_days a word',
      files: { 'config.yaml': base(id), 'manual.yaml': manualWith('older_than_days: ten') },
      expect: [at(MANUAL_FILE, jobField('a', 'older_than_days'), 'must be a number')],
    }),
    (id) => ({
      name: 'a tag regexp that does not compile',
      files: {
        'config.yaml': base(id),
        'manual.yaml': manualWith("tag_regexps: ['dev-', '(unclosed']"),
      },
      expect: [at(MANUAL_FILE, jobField('a', 'tag_regexps[1]'), 'invalid regular expression')],
    }),
    (id) => ({
      name: 'a Python named group',
      files: { 'config.yaml': base(id), 'manual.yaml': manualWith("tag_regexps: ['(?P<v>dev)-']") },
      expect: [
        at(MANUAL_FILE, jobField('a', 'tag_regexps[0]'), '.*write \\(\\?<name>\\.\\.\\.\\)'),
      ],
    }),
    (id) => ({
      name: 'Python-only \\A that JavaScript would read as a letter',
      files: { 'config.yaml': base(id), 'manual.yaml': manualWith("tag_regexps: ['\\Adev']") },
      expect: [at(MANUAL_FILE, jobField('a', 'tag_regexps[0]'), '.*Python-only syntax')],
    }),
    (id) => ({
      name: 'a repository regexp that does not compile',
      files: { 'config.yaml': base(id), 'manual.yaml': manualWith("repositories: ['r/(bad/']") },
      expect: [at(MANUAL_FILE, jobField('a', 'repositories[0]'), 'invalid regular expression')],
    }),
    (id) => ({
      name: 'an invalid repository name',
      files: { 'config.yaml': base(id), 'manual.yaml': manualWith('repositories: [Team/App]') },
      expect: [
        at(
          MANUAL_FILE,
          jobField('a', 'repositories[0]'),
          '"Team/App" is not a valid repository name',
        ),
      ],
    }),
    (id) => ({
      name: 'no repositories',
      files: { 'config.yaml': base(id), 'manual.yaml': manualWith('repositories: []') },
      expect: [at(MANUAL_FILE, jobField('a', 'repositories'), 'must list at least one entry')],
    }),
    (id) => ({
      name: 'tag_regexps a string instead of a list',
      files: { 'config.yaml': base(id), 'manual.yaml': manualWith("tag_regexps: 'dev-'") },
      expect: [at(MANUAL_FILE, jobField('a', 'tag_regexps'), 'must be a list')],
    }),
    (id) => ({
      name: 'an unknown order_by',
      files: { 'config.yaml': base(id), 'manual.yaml': manualWith('order_by: version') },
      expect: [
        at(MANUAL_FILE, jobField('a', 'order_by'), 'must be one of created, semver, natural'),
      ],
    }),
    (id) => ({
      name: 'an unknown order_by in jobs.yaml under --watch',
      files: { 'config.yaml': base(id), 'jobs.yaml': `${JOBS}  order_by: date\n` },
      args: ['--watch'],
      expect: [at(JOBS_FILE, jobField('w', 'order_by'), 'must be one of created, semver, natural')],
    }),
    (id) => ({
      name: 'a keep regexp that does not compile, with the Python hint',
      files: {
        'config.yaml': base(id),
        'manual.yaml': manualWith("keep_regexps: ['ok', '(?P<v>x)-pinned']"),
      },
      expect: [
        at(MANUAL_FILE, jobField('a', 'keep_regexps[1]'), '.*write \\(\\?<name>\\.\\.\\.\\)'),
      ],
    }),
    (id) => ({
      name: 'keep_regexps a string instead of a list',
      files: { 'config.yaml': base(id), 'manual.yaml': manualWith("keep_regexps: '.*-pinned'") },
      expect: [at(MANUAL_FILE, jobField('a', 'keep_regexps'), 'must be a list')],
    }),
    (id) => ({
      name: 'a misspelt job key',
      files: { 'config.yaml': base(id), 'manual.yaml': manualWith('save_lats: 3') },
      expect: [
        at(MANUAL_FILE, jobField('a', 'save_lats'), 'unknown key \\(did you mean save_last\\?\\)'),
      ],
    }),
    (id) => ({
      name: 'a cron schedule in manual.yaml',
      files: { 'config.yaml': base(id), 'manual.yaml': manualWith("schedule: '0 3 * * *'") },
      expect: [at(MANUAL_FILE, jobField('a', 'schedule'), 'is only allowed in jobs.yaml')],
    }),
    (id) => ({
      name: 'a job that is a plain string',
      files: { 'config.yaml': base(id), 'manual.yaml': '- clean-everything\n' },
      expect: [at(MANUAL_FILE, 'job #1', 'must be a mapping')],
    }),
    (id) => ({
      name: 'problems in two files are all listed at once',
      files: {
        'config.yaml': `registry_url: ${url(id)}\ntimeout: 0\n`,
        'manual.yaml': manualWith('save_last: -1'),
      },
      expect: [
        /Invalid configuration \(2 problems\)/,
        at(CONFIG, field('timeout'), 'must be between'),
        at(MANUAL_FILE, jobField('a', 'save_last'), 'must be greater'),
      ],
    }),
    // jobs.yaml (--watch).
    (id) => ({
      name: '--watch without jobs.yaml',
      files: { 'config.yaml': base(id), 'jobs.yaml': null },
      args: ['--watch'],
      expect: [at(JOBS_FILE, '', 'not found \\(--watch')],
    }),
    (id) => ({
      name: 'clean_every_n_hours 0',
      files: { 'config.yaml': base(id), 'jobs.yaml': JOBS.replace('24', '0') },
      args: ['--watch'],
      expect: [at(JOBS_FILE, jobField('w', 'clean_every_n_hours'), 'must be greater than 0')],
    }),
    (id) => ({
      name: 'clean_every_n_hours missing',
      files: {
        'config.yaml': base(id),
        'jobs.yaml': JOBS.replace(/ {2}clean_every_n_hours.*\n/, ''),
      },
      args: ['--watch'],
      expect: [at(JOBS_FILE, jobField('w', 'clean_every_n_hours'), 'is required')],
    }),
    (id) => ({
      name: 'an invalid cron schedule',
      files: { 'config.yaml': base(id), 'jobs.yaml': `${JOBS}  schedule: '61 * * * *'\n` },
      args: ['--watch'],
      expect: [at(JOBS_FILE, jobField('w', 'schedule'), 'invalid cron expression')],
    }),
    (id) => ({
      // Issue 14: cron-parser parses it but cannot plan it; it once passed and waited a year.
      name: 'a cron schedule the scheduler cannot plan',
      files: { 'config.yaml': base(id), 'jobs.yaml': `${JOBS}  schedule: '30 0 3 ? * L'\n` },
      args: ['--watch'],
      expect: [
        at(
          JOBS_FILE,
          jobField('w', 'schedule'),
          'invalid cron expression: the scheduler cannot plan it',
        ),
      ],
    }),
    // The command line.
    (id) => ({
      name: '--watch with --jobs',
      files: { 'config.yaml': base(id) },
      args: ['--watch', '--jobs', 'a'],
      expect: [/--watch and --jobs cannot be used together/],
    }),
    (id) => ({
      name: '--jobs names an unknown job',
      files: { 'config.yaml': base(id) },
      args: ['--jobs', 'a', 'nope'],
      expect: [
        at(
          MANUAL_FILE,
          '',
          '--jobs names "nope", which manual.yaml does not declare \\(known jobs: a\\)',
        ),
      ],
    }),
    (id) => ({
      name: 'an unknown flag',
      files: { 'config.yaml': base(id) },
      args: ['--dry-rn'],
      expect: [/unknown option '--dry-rn'/, /Did you mean --dry-run\?/],
    }),
    (id) => ({
      name: '--jobs without a name',
      files: { 'config.yaml': base(id) },
      args: ['--jobs'],
      expect: [/option '--jobs <names\.\.\.>' argument missing/],
    }),
    (id) => ({
      name: '--jobs with only separators',
      files: { 'config.yaml': base(id) },
      args: ['--jobs', ','],
      expect: [/--jobs needs at least one job name/],
    }),
    (id) => ({
      name: 'fail_on_warning is not a boolean',
      files: { 'config.yaml': base(id), 'manual.yaml': manualWith('fail_on_warning: "yes"') },
      expect: [at(MANUAL_FILE, jobField('a', 'fail_on_warning'), 'must be a boolean')],
    }),
    (id) => ({
      name: 'fail_on_warning is a number (jobs.yaml)',
      files: { 'config.yaml': base(id), 'jobs.yaml': `${JOBS}  fail_on_warning: 1\n` },
      args: ['--watch'],
      expect: [at(JOBS_FILE, jobField('w', 'fail_on_warning'), 'must be a boolean')],
    }),
    (id) => ({
      name: '--strict with --restore',
      files: { 'config.yaml': base(id) },
      args: ['--restore', '--jobs', 'a', '--strict'],
      expect: [/--strict is for cleaning runs/],
    }),
    (id) => ({
      name: 'a stray argument',
      files: { 'config.yaml': base(id) },
      args: ['run'],
      expect: [/too many arguments/],
    }),
    (id) => ({
      name: '--state-dir is a file',
      files: { 'config.yaml': base(id) },
      setup: (dir) => writeFile(join(dir, 'state-file'), 'x'),
      args: ['--state-dir', 'state-file'],
      expect: [/--state-dir state-file cannot be used as a folder/],
    }),
    (id) => ({
      // Issue 27: every bad folder at once, each with its errno (ENOTDIR works as root too).
      name: 'three folders under a regular file',
      files: { 'config.yaml': base(id) },
      setup: (dir) => writeFile(join(dir, 'blocker'), 'x'),
      args: [
        '--logs-dir',
        'blocker/logs',
        '--state-dir',
        'blocker/state',
        '--reports-dir',
        'blocker/r',
      ],
      expect: [
        /--logs-dir blocker\/logs cannot be used as a folder \(a part of the path is a file: ENOTDIR\)/,
        /--state-dir blocker\/state cannot be used as a folder \(a part of the path is a file: ENOTDIR\)/,
        /--reports-dir blocker\/r cannot be used as a folder \(a part of the path is a file: ENOTDIR\)/,
      ],
    }),
    (id) => ({
      // Issue 27: no flag was given, so the message names the default, not a flag.
      name: 'the default ./logs is a file, and reports.dir is under one',
      files: { 'config.yaml': base(id, 'reports:\n  dir: blocker/r\n') },
      setup: async (dir) => {
        await writeFile(join(dir, 'logs'), 'x');
        await writeFile(join(dir, 'blocker'), 'x');
      },
      expect: [
        /^error: the default \.\/logs \(set with --logs-dir\) cannot be used as a folder \(it is a file, not a folder: EEXIST\)$/m,
        /^reports\.dir blocker\/r cannot be used as a folder \(a part of the path is a file: ENOTDIR\)$/m,
      ],
    }),
    (id) => ({
      name: '--logs-dir is a file',
      files: { 'config.yaml': base(id) },
      setup: (dir) => writeFile(join(dir, 'log-file'), 'x'),
      args: ['--logs-dir', 'log-file'],
      expect: [/--logs-dir log-file cannot be used as a folder/],
    }),
  ];
  return list.map((make, index) => make(index + 1));
}

/** A "billion laughs" document: nine levels of nine aliases. */
function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  let previous = 'a';
  for (const name of 'bcdefghi') {
    lines.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(',')}]`);
    previous = name;
  }
  return `${lines.join('\n')}\n`;
}

describe('bad input: exit 2, a located message, nothing sent to the registry', () => {
  let registry: RunningRegistry;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    await registry.resetAccessLog();
  });

  after(async () => {
    await registry.stop();
  });

  describe('the table', { concurrency: 4 }, () => {
    const table = cases((id) => `http://127.0.0.1:1/case-${String(id)}`);
    it(`has at least 30 cases (${String(table.length)})`, () => {
      assert.ok(table.length >= 30);
    });
    table.forEach((_entry, index) => {
      const id = index + 1;
      it(`#${String(id)} ${_entry.name}`, { timeout: 30_000 }, async () => {
        // The registry's URL is only known now; the case is rebuilt with it.
        const entry = cases((caseId) => `${registry.url}/case-${String(caseId)}`)[index];
        assert.ok(entry);
        const workspace = await createWorkspace();
        try {
          const files: Record<string, string | null> = {
            'config.yaml': `registry_url: ${registry.url}/case-${String(id)}\ntimeout: 5\n`,
            'manual.yaml': MANUAL,
            'jobs.yaml': JOBS,
            ...entry.files,
          };
          for (const [name, content] of Object.entries(files)) {
            if (content === null) await rm(join(workspace.configDir, name), { force: true });
            else await writeFile(join(workspace.configDir, name), content);
          }
          await entry.setup?.(workspace.dir, workspace.configDir);
          const result = await workspace.run(entry.args ?? [], entry.env);
          assert.equal(result.code, 2, `exit code\n${result.stdout}\n${result.stderr}`);
          for (const pattern of entry.expect) assert.match(result.stderr, pattern);
          assert.equal(result.stdout, '', 'no report');
          for (const secret of SECRETS) {
            assert.ok(!(result.stdout + result.stderr).includes(secret), `${secret} not echoed`);
          }
          assert.ok(
            !existsSync(join(workspace.dir, 'cache/latest_cleanup.json')),
            'no state written',
          );
        } finally {
          await workspace.cleanup();
        }
      });
    });
  });

  it('the registry received no request from any case', async () => {
    const seen = await registry.accessLog();
    assert.deepEqual(
      seen.map((entry) => `${entry.method} ${entry.path}`),
      [],
      'a request names its case in its path',
    );
  });
});
