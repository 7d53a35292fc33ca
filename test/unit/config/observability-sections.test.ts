import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseListenAddress } from '../../../src/adapters/metrics/metrics-settings.js';
import { lineFor, loadFails, loadOk, tempConfigDir } from './config-test-support.js';

const REGISTRY = 'registry_url: https://registry.example.com\n';

function withConfig<T>(configYaml: string, use: (dir: string) => T): T {
  const folder = tempConfigDir({ 'config.yaml': REGISTRY + configYaml });
  try {
    return use(folder.dir);
  } finally {
    folder.remove();
  }
}

describe('config.yaml: metrics and log_format', () => {
  it('are optional: absent means no endpoint and text logs', () => {
    const config = withConfig('', (dir) => loadOk(dir));
    assert.equal(config.metrics, undefined);
    assert.equal(config.logFormat, undefined);
  });

  it('reads metrics.listen (IPv4, IPv6 in brackets, host name) and log_format', () => {
    const config = withConfig('metrics:\n  listen: 0.0.0.0:9464\nlog_format: json\n', (dir) =>
      loadOk(dir),
    );
    assert.deepEqual(config.metrics, { listen: { host: '0.0.0.0', port: 9464 } });
    assert.equal(config.logFormat, 'json');
    assert.deepEqual(parseListenAddress('[::1]:9464'), {
      ok: true,
      address: { host: '::1', port: 9464 },
    });
    assert.deepEqual(parseListenAddress('localhost:0'), {
      ok: true,
      address: { host: 'localhost', port: 0 },
    });
  });

  it('reports every problem of both at once, with the field', () => {
    withConfig('metrics:\n  listen: 9464\n  port: 1\nlog_format: yaml\n', (dir) => {
      const error = loadFails(dir);
      const file = join(dir, 'config.yaml');
      assert.match(lineFor(error, file, 'metrics.listen'), /must be a string/);
      assert.match(lineFor(error, file, 'metrics.port'), /unknown key/);
      assert.match(lineFor(error, file, 'log_format'), /must be one of text, json/);
    });
  });

  it('refuses an address without a host or with a bad port', () => {
    for (const text of ['9464', ':9464', '127.0.0.1', '127.0.0.1:99999', 'http://x:1', '[::1]']) {
      withConfig(`metrics:\n  listen: "${text}"\n`, (dir) => {
        const line = lineFor(loadFails(dir), join(dir, 'config.yaml'), 'metrics.listen');
        assert.match(line, /HOST:PORT|port must be/, text);
      });
    }
    withConfig('metrics: 127.0.0.1:9464\n', (dir) => {
      assert.match(
        lineFor(loadFails(dir), join(dir, 'config.yaml'), 'metrics'),
        /must be a mapping/,
      );
    });
  });
});

describe('config.yaml: metrics.reports (the watch page, issue 24 item 3)', () => {
  it('is off unless true', () => {
    const on = withConfig('metrics:\n  listen: 127.0.0.1:9464\n  reports: true\n', (dir) =>
      loadOk(dir),
    );
    assert.deepEqual(on.metrics, { listen: { host: '127.0.0.1', port: 9464 }, reports: true });
    const off = withConfig('metrics:\n  listen: 127.0.0.1:9464\n  reports: false\n', (dir) =>
      loadOk(dir),
    );
    assert.deepEqual(off.metrics, { listen: { host: '127.0.0.1', port: 9464 } });
  });

  it('refuses a value that is not a boolean, with the field', () => {
    for (const value of ['"true"', 'yes', '1', '[html]']) {
      withConfig(`metrics:\n  listen: 127.0.0.1:9464\n  reports: ${value}\n`, (dir) => {
        const line = lineFor(loadFails(dir), join(dir, 'config.yaml'), 'metrics.reports');
        assert.match(line, /must be a boolean/, value);
      });
    }
  });

  it('needs the JSON reports, which the page reads', () => {
    withConfig(
      'metrics:\n  listen: 127.0.0.1:9464\n  reports: true\nreports:\n  formats: [html]\n',
      (dir) => {
        const line = lineFor(loadFails(dir), join(dir, 'config.yaml'), 'metrics.reports');
        assert.match(line, /add json to reports\.formats/);
      },
    );
  });
});
