import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { matchesPattern, resolveRepositories } from '../../../src/domain/job.js';
import {
  fixture,
  lineFor,
  loadFails,
  loadOk,
  tempConfigDir,
  VALID_JOB,
} from './config-test-support.js';

const CONFIG = 'registry_url: https://r.example.com\n';

function withJobs(fileName: string, jobs: string, test: (dir: string) => void): void {
  const temp = tempConfigDir({ 'config.yaml': CONFIG, [fileName]: jobs });
  try {
    test(temp.dir);
  } finally {
    temp.remove();
  }
}

describe('jobs files: repositories', () => {
  it('parses literal names (team/app) and r/<regex>/ patterns, stripping only r/ and the last /', () => {
    const config = loadOk(fixture('repositories'));
    const job = config.manualJobs[0];
    assert.ok(job);
    assert.deepEqual(job.repositories[0], { kind: 'literal', name: 'team/app' });
    const pattern = job.repositories[1];
    assert.equal(pattern?.kind === 'pattern' ? pattern.pattern.source : '', 'team/.*-dev');
    const nested = job.repositories[2];
    assert.equal(nested?.kind === 'pattern' ? nested.pattern.source : '', 'a/b/c');
    // Without the trailing slash it is a literal name: a namespace called "r".
    assert.deepEqual(job.repositories[3], { kind: 'literal', name: 'r/app' });
    assert.deepEqual(
      resolveRepositories(job, ['team/api-dev', 'team/api', 'other/team/x-dev', 'a/b/c/d']).sort(),
      ['a/b/c/d', 'r/app', 'team/api-dev', 'team/app'],
    );
  });

  it('anchors tag patterns at the start only and accepts JavaScript named groups', () => {
    const job = loadOk(fixture('repositories')).manualJobs[0];
    assert.ok(job);
    const [version, backReference] = job.tagPatterns;
    assert.ok(version !== undefined && backReference !== undefined);
    assert.ok(matchesPattern(version, 'v12-extra'));
    assert.ok(!matchesPattern(version, 'xv12'));
    assert.ok(matchesPattern(backReference, '7.7'));
    assert.ok(!matchesPattern(backReference, '7.8'));
  });

  it('warns, naming the file and job, that clean_every_n_hours is ignored in manual.yaml (issue 27)', () => {
    const temp = tempConfigDir({
      'config.yaml': 'registry_url: https://r.example.com\n',
      'manual.yaml': VALID_JOB,
      'jobs.yaml': VALID_JOB,
    });
    try {
      const config = loadOk(temp.dir);
      assert.equal(config.manualJobs[0]?.cleanEveryHours, 0);
      assert.deepEqual(config.warnings, [
        `${join(temp.dir, 'manual.yaml')}: job "clean-dev": clean_every_n_hours is ignored in manual.yaml (manual jobs run when asked; the interval belongs in jobs.yaml)`,
      ]);
    } finally {
      temp.remove();
    }
  });

  it('keeps PyYAML merge keys working and forces clean_every_n_hours to 0 in manual.yaml', () => {
    const config = loadOk(fixture('repositories'));
    assert.deepEqual(
      config.manualJobs.map((job) => job.name),
      ['literal-and-pattern', 'merged-from-anchor'],
    );
    const merged = config.manualJobs[1];
    assert.ok(merged !== undefined);
    assert.equal(merged.description, 'PyYAML merge keys keep working');
    assert.equal(merged.saveLast, 2);
    assert.equal(merged.olderThanDays, 0.5);
    assert.ok(config.manualJobs.every((job) => job.cleanEveryHours === 0));
  });

  it('rejects a literal name that is not a repository name and suggests r/<regex>/', () => {
    withJobs(
      'manual.yaml',
      '- name: bad\n  repositories: ["team/.*-dev", Upper]\n  tag_regexps: [x]\n  save_last: 0\n  older_than_days: 0\n',
      (dir) => {
        const error = loadFails(dir);
        const file = join(dir, 'manual.yaml');
        assert.match(
          lineFor(error, file, 'repositories[0]', 'bad'),
          /not a valid repository name.*write r\/<regex>\//,
        );
        assert.match(
          lineFor(error, file, 'repositories[1]', 'bad'),
          /"Upper" is not a valid repository name/,
        );
      },
    );
  });

  it('rejects r// (an empty pattern)', () => {
    withJobs(
      'manual.yaml',
      '- name: bad\n  repositories: ["r//"]\n  tag_regexps: [x]\n  save_last: 0\n  older_than_days: 0\n',
      (dir) => {
        assert.match(
          lineFor(loadFails(dir), join(dir, 'manual.yaml'), 'repositories[0]', 'bad'),
          /empty regular expression/,
        );
      },
    );
  });
});

describe('jobs files: invalid regular expressions', () => {
  const dir = fixture('invalid-regexp');
  const file = join(dir, 'jobs.yaml');
  const error = loadFails(dir);

  it('names file, job, field index and pattern, with the JavaScript error', () => {
    const line = lineFor(error, file, 'tag_regexps[3]', 'clean-dev');
    assert.equal(
      line,
      `${file}: job "clean-dev" field tag_regexps[3]: invalid regular expression "build-[": Unterminated character class`,
    );
  });

  it('explains how to rewrite Python named groups and backreferences', () => {
    const line = lineFor(error, file, 'tag_regexps[1]', 'clean-dev');
    assert.ok(line.includes('"(?P<version>\\d+)\\.(?P=version)"'), line);
    assert.match(line, /Invalid group/);
    assert.match(line, /write \(\?<name>\.\.\.\)/);
    assert.match(line, /write \\k<name>/);
  });

  it('explains that inline flags do not exist', () => {
    assert.match(
      lineFor(error, file, 'tag_regexps[2]', 'clean-dev'),
      /inline flags \(\?i\): JavaScript has no inline flags/,
    );
  });

  it('refuses \\A and \\Z, which JavaScript would silently read as letters', () => {
    assert.match(
      lineFor(error, file, 'tag_regexps[4]', 'clean-dev'),
      /Python-only syntax: \\A .*write \^; \\Z .*write \$/,
    );
  });

  it('checks r/<regex>/ repository patterns the same way', () => {
    assert.match(
      lineFor(error, file, 'repositories[1]', 'clean-dev'),
      /"\(\?P<team>\[a-z\]\+\)\/app".*write \(\?<name>/,
    );
  });

  it('reports every bad pattern, and nothing about the good ones', () => {
    assert.equal(error.problems.length, 5);
    assert.ok(
      error.problems.every((problem) => problem.file === file && problem.job === 'clean-dev'),
    );
  });
});

describe('jobs files: keys, types and names', () => {
  it('reports unknown keys, and schedule in manual.yaml', () => {
    const dir = fixture('unknown-keys');
    const error = loadFails(dir);
    assert.match(
      lineFor(error, join(dir, 'jobs.yaml'), 'keep_last', 'clean-dev'),
      /unknown key; allowed keys: name, description/,
    );
    assert.match(
      lineFor(error, join(dir, 'manual.yaml'), 'schedule', 'once'),
      /only allowed in jobs\.yaml/,
    );
  });

  it('reports missing keys, naming a nameless job by its position', () => {
    const dir = fixture('missing-keys');
    const error = loadFails(dir);
    const file = join(dir, 'jobs.yaml');
    for (const field of ['tag_regexps', 'save_last', 'older_than_days', 'clean_every_n_hours']) {
      assert.match(lineFor(error, file, field, 'clean-dev'), /is required/);
    }
    assert.match(lineFor(error, file, 'name', '#2'), /is required/);
  });

  it('reports wrong types and ranges', () => {
    const dir = fixture('wrong-types');
    const error = loadFails(dir);
    const file = join(dir, 'jobs.yaml');
    assert.match(lineFor(error, file, 'repositories', 'clean-dev'), /must be a list/);
    assert.match(
      lineFor(error, file, 'tag_regexps[1]', 'clean-dev'),
      /must be a string \(put it in quotes/,
    );
    assert.match(lineFor(error, file, 'tag_regexps[2]', 'clean-dev'), /not allowed to be empty/);
    assert.match(lineFor(error, file, 'save_last', 'clean-dev'), /must be a number/);
    assert.match(
      lineFor(error, file, 'older_than_days', 'clean-dev'),
      /greater than or equal to 0/,
    );
    assert.match(lineFor(error, file, 'clean_every_n_hours', 'clean-dev'), /greater than 0/);
    assert.match(lineFor(error, file, undefined, '#2'), /must be a mapping/);
  });

  it('rejects duplicate job names, saying which jobs collide', () => {
    const dir = fixture('duplicate-names');
    const error = loadFails(dir);
    assert.equal(error.problems.length, 1);
    assert.match(
      lineFor(error, join(dir, 'manual.yaml'), 'name', 'clean-dev'),
      /jobs #1 and #3 have the same name/,
    );
  });

  it('rejects a jobs file that is not a list', () => {
    withJobs('jobs.yaml', 'name: clean-dev\n', (dir) => {
      assert.match(
        lineFor(loadFails(dir), join(dir, 'jobs.yaml'), undefined),
        /must be a YAML list of jobs/,
      );
    });
  });

  it('accepts fractional clean_every_n_hours, and schedule instead of it', () => {
    const jobs = `- name: half-hourly
  repositories: [app]
  tag_regexps: [dev-]
  save_last: 0
  older_than_days: 0
  clean_every_n_hours: 0.5
- name: cron
  repositories: [app]
  tag_regexps: [dev-]
  save_last: 0
  older_than_days: 0
  schedule: "0 */6 * * MON-FRI"
`;
    withJobs('jobs.yaml', jobs, (dir) => {
      const config = loadOk(dir, {}, { watch: true, manual: false });
      assert.equal(config.watchJobs[0]?.cleanEveryHours, 0.5);
      assert.equal(config.watchJobs[1]?.schedule, '0 */6 * * MON-FRI');
    });
  });

  it('rejects a malformed schedule', () => {
    const jobs = `- name: cron
  repositories: [app]
  tag_regexps: [dev-]
  save_last: 0
  older_than_days: 0
  schedule: "every day"
`;
    withJobs('jobs.yaml', jobs, (dir) => {
      assert.match(
        lineFor(loadFails(dir), join(dir, 'jobs.yaml'), 'schedule', 'cron'),
        /must have 5 fields .* found 2/,
      );
    });
  });
});

describe('jobs files: fail_on_warning (issue 27)', () => {
  const job = (extra: string): string =>
    `- name: a\n  repositories: [team/app]\n  tag_regexps: ['dev-']\n  save_last: 1\n  older_than_days: 5\n${extra}`;

  it('true makes warnings fail the job; false or absent leaves the job as it was', () => {
    withJobs('manual.yaml', job('  fail_on_warning: true\n'), (dir) => {
      assert.equal(loadOk(dir).manualJobs[0]?.failOnWarning, true);
    });
    for (const extra of ['  fail_on_warning: false\n', '']) {
      withJobs('manual.yaml', job(extra), (dir) => {
        assert.equal(loadOk(dir).manualJobs[0]?.failOnWarning, undefined);
      });
    }
  });

  it('a string or a number is a mistake naming file, job and key, not a truth to guess', () => {
    for (const value of ['"true"', 'yes', '1']) {
      withJobs('manual.yaml', job(`  fail_on_warning: ${value}\n`), (dir) => {
        assert.match(
          loadFails(dir).format(),
          /manual\.yaml: job "a" field fail_on_warning: must be a boolean/,
        );
      });
    }
  });
});
