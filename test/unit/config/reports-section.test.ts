import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_REPORTS_SETTINGS } from '../../../src/adapters/reports/reports-settings.js';
import { lineFor, loadFails, loadOk, tempConfigDir } from './config-test-support.js';

function withConfig<T>(yaml: string, use: (dir: string) => T): T {
  const temp = tempConfigDir({ 'config.yaml': `registry_url: https://r.example.com\n${yaml}` });
  try {
    return use(temp.dir);
  } finally {
    temp.remove();
  }
}

describe('config.yaml reports section (issue 10)', () => {
  it('applies the defaults when the section is absent or empty', () => {
    assert.deepEqual(DEFAULT_REPORTS_SETTINGS, {
      dir: 'reports',
      formats: ['json', 'html'],
      keepLast: 30,
    });
    for (const yaml of ['', 'reports:\n', 'reports: {}\n']) {
      withConfig(yaml, (dir) => {
        assert.deepEqual(loadOk(dir).reports, DEFAULT_REPORTS_SETTINGS, yaml);
      });
    }
  });

  it('reads dir, formats and keep_last; an empty list of formats turns reports off', () => {
    withConfig('reports:\n  dir: out/reports\n  formats: [md, json]\n  keep_last: 3\n', (dir) => {
      assert.deepEqual(loadOk(dir).reports, {
        dir: 'out/reports',
        formats: ['md', 'json'],
        keepLast: 3,
      });
    });
    withConfig('reports:\n  formats: []\n', (dir) => {
      assert.deepEqual(loadOk(dir).reports?.formats, []);
    });
  });

  it('names an unknown format, a bad keep_last and an unknown key, all at once', () => {
    withConfig('reports:\n  formats: [json, pdf]\n  keep_last: 0\n  dirr: x\n', (dir) => {
      const error = loadFails(dir);
      const file = join(dir, 'config.yaml');
      assert.match(
        lineFor(error, file, 'reports.formats[1]'),
        /must be one of json, html, md, got pdf/,
      );
      assert.match(lineFor(error, file, 'reports.keep_last'), /at least 1/);
      assert.match(lineFor(error, file, 'reports.dirr'), /unknown key \(did you mean dir\?\)/);
    });
  });

  it('refuses a section that is not a mapping', () => {
    withConfig('reports: [json]\n', (dir) => {
      assert.match(lineFor(loadFails(dir), join(dir, 'config.yaml'), 'reports'), /mapping/);
    });
  });

  it('reads base_url without its trailing slash; a bad one is named with its field (exit 2)', () => {
    withConfig('reports:\n  base_url: https://ci.example.com/reg-reports/\n', (dir) => {
      assert.equal(loadOk(dir).reports?.baseUrl, 'https://ci.example.com/reg-reports');
    });
    const file = (dir: string) => join(dir, 'config.yaml');
    const cases: [string, RegExp][] = [
      ['not a url', /absolute http:\/\/ or https:\/\/ URL/],
      ['ftp://files.example.com/r', /http:\/\/ or https:\/\/ URL, got ftp:\/\//],
      ['https://ci.example.com/r?token=1', /must not have a \?query/],
      ['https://me:hunter2@ci.example.com/r', /must not hold user:password/],
      ['3', /must be a string/],
    ];
    for (const [value, expected] of cases) {
      withConfig(`reports:\n  base_url: ${value}\n`, (dir) => {
        const line = lineFor(loadFails(dir), file(dir), 'reports.base_url');
        assert.match(line, expected, value);
        assert.doesNotMatch(line, /hunter2/);
      });
    }
  });
});
