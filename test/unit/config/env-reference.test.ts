import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixture, lineFor, loadFails, loadOk, tempConfigDir } from './config-test-support.js';

const ENV = {
  REGISTRY_URL: 'https://registry.example.com/v2/',
  REGISTRY_USER: 'alice',
  REGISTRY_PASS: 'pa55word-secret',
  HTTPS_PROXY_URL: 'http://bob:proxy-secret@proxy.example.com:3128',
};

describe('__ENV references', () => {
  const dir = fixture('env-references');
  const file = join(dir, 'config.yaml');

  it('resolves registry_url, username, password and proxy, with or without the space', () => {
    const config = loadOk(dir, ENV);
    assert.equal(config.registry.url, 'https://registry.example.com');
    assert.deepEqual(config.registry.credentials, {
      username: 'alice',
      password: 'pa55word-secret',
    });
    assert.equal(config.registry.proxy, 'http://bob:proxy-secret@proxy.example.com:3128');
  });

  it('names the missing variable and the field, and prints no secret of the others', () => {
    const env: NodeJS.ProcessEnv = { ...ENV };
    delete env.REGISTRY_PASS;
    const error = loadFails(dir, env);
    assert.equal(error.problems.length, 1);
    assert.equal(
      lineFor(error, file, 'password'),
      `${file}: field password: environment variable REGISTRY_PASS is not set (referenced as "__ENV: REGISTRY_PASS")`,
    );
    const text = `${error.format()}\n${error.message}`;
    assert.ok(!text.includes('proxy-secret'));
    assert.ok(!text.includes('alice'));
  });

  it('reports every missing variable at once', () => {
    const error = loadFails(dir, {});
    assert.deepEqual(
      error.problems.map((problem) => problem.field),
      ['registry_url', 'username', 'password', 'proxy'],
    );
    assert.match(lineFor(error, file, 'registry_url'), /REGISTRY_URL is not set/);
    assert.match(lineFor(error, file, 'proxy'), /HTTPS_PROXY_URL is not set/);
  });

  it('treats an empty proxy variable as no proxy', () => {
    const config = loadOk(dir, { ...ENV, HTTPS_PROXY_URL: '' });
    assert.equal(config.registry.proxy, undefined);
  });

  it('rejects an empty password variable without printing anything of it', () => {
    const error = loadFails(dir, { ...ENV, REGISTRY_PASS: '' });
    assert.match(lineFor(error, file, 'password'), /environment variable REGISTRY_PASS is empty/);
  });

  it('never prints a proxy URL with credentials, even when it is invalid', () => {
    const error = loadFails(dir, {
      ...ENV,
      HTTPS_PROXY_URL: 'socks5://bob:proxy-secret@proxy:1080',
    });
    assert.match(
      lineFor(error, file, 'proxy'),
      /must be a URL like http:\/\/\[user:password@\]host/,
    );
    assert.ok(!error.format().includes('proxy-secret'));
  });

  it('rejects __ENV in a key that does not support it', () => {
    const temp = tempConfigDir({
      'config.yaml': 'registry_url: https://r.example.com\ntimeout: "__ENV: TIMEOUT"\n',
    });
    try {
      const error = loadFails(temp.dir, { TIMEOUT: '5' });
      assert.equal(error.problems.length, 1);
      assert.match(
        lineFor(error, join(temp.dir, 'config.yaml'), 'timeout'),
        /work only for registry_url, username, password, proxy/,
      );
    } finally {
      temp.remove();
    }
  });
});

describe('username and password come in pairs', () => {
  it('username without password', () => {
    const dir = fixture('username-without-password');
    const error = loadFails(dir);
    assert.match(
      lineFor(error, join(dir, 'config.yaml'), 'password'),
      /is required when username is set/,
    );
  });

  it('password without username, never printing the password', () => {
    const dir = fixture('password-without-username');
    const error = loadFails(dir, { ONLY_PASSWORD: 'lonely-secret' });
    assert.match(
      lineFor(error, join(dir, 'config.yaml'), 'username'),
      /is required when password is set/,
    );
    assert.ok(!error.format().includes('lonely-secret'));
  });

  it('a numeric password is reported as a type error without its value', () => {
    const temp = tempConfigDir({
      'config.yaml': 'registry_url: https://r.example.com\nusername: u\npassword: 987654321\n',
    });
    try {
      const error = loadFails(temp.dir);
      assert.match(
        lineFor(error, join(temp.dir, 'config.yaml'), 'password'),
        /must be a string \(put it in quotes/,
      );
      assert.ok(!error.format().includes('987654321'));
    } finally {
      temp.remove();
    }
  });
});
