import assert from 'node:assert/strict';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import {
  latestReportPaths,
  reportPaths,
  RUN_FILE,
} from '../../../src/adapters/reports/report-files.js';

const AT = new Date('2026-06-01T07:08:09.456Z');

describe('reportPaths: the files of one run', () => {
  it('names <dir>/<job>/<UTC stamp>-<dry|real>.<ext>', () => {
    assert.deepEqual(reportPaths('clean-dev', AT, true, 'reports'), {
      json: join('reports', 'clean-dev', '20260601T070809Z-dry.json'),
      html: join('reports', 'clean-dev', '20260601T070809Z-dry.html'),
      md: join('reports', 'clean-dev', '20260601T070809Z-dry.md'),
    });
    assert.equal(
      reportPaths('clean-dev', AT, false, '/var/reports').html,
      '/var/reports/clean-dev/20260601T070809Z-real.html',
    );
  });

  it('run file names are what pruning recognises; latest is not', () => {
    const paths = reportPaths('job', AT, false, 'r');
    for (const path of Object.values(paths)) assert.match(path.split(sep).pop() ?? '', RUN_FILE);
    assert.doesNotMatch('latest.json', RUN_FILE);
    assert.equal(latestReportPaths('job', 'r').md, join('r', 'job', 'latest.md'));
  });

  it('a job name that is not a plain file name stays inside dir and does not collide', () => {
    const escaping = reportPaths('../../etc', AT, true, 'reports').json;
    assert.ok(!relative('reports', escaping).startsWith('..'), escaping);
    const slash = reportPaths('a/b', AT, true, 'reports').json;
    const underscore = reportPaths('a_b', AT, true, 'reports').json;
    assert.notEqual(slash, underscore);
    assert.equal(relative('reports', slash).split(sep).length, 2);
  });
});
