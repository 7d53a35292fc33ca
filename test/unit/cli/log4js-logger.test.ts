import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Container } from 'inversify';
import {
  configureLogging,
  Log4jsLogger,
  render,
  shutdownLogging,
} from '../../../src/adapters/logging/log4js-logger.js';
import { Logger } from '../../../src/application/ports/logger.port.js';

describe('render', () => {
  it('appends fields as key=value, quoting values with spaces, skipping undefined', () => {
    assert.equal(
      render('deleted manifest', {
        repository: 'team/app',
        tags: 'dev-1 dev-2',
        count: 2,
        dryRun: false,
        skipped: undefined,
      }),
      'deleted manifest repository=team/app tags="dev-1 dev-2" count=2 dryRun=false',
    );
  });

  it('redacts the message and every field', () => {
    const line = render('GET https://bob:pw@registry/v2/ with Authorization: Basic Ym9iOnB3', {
      password: 'hunter2',
      url: 'https://bob:pw@registry/v2/',
    });
    assert.ok(
      !line.includes('hunter2') && !line.includes('bob:pw') && !line.includes('Ym9iOnB3'),
      line,
    );
    assert.match(line, /password=\*\*\*/);
  });
});

describe('configureLogging', () => {
  const logsDir = mkdtempSync(join(tmpdir(), 'reg-cleaner-logs-'));
  after(() => {
    rmSync(logsDir, { recursive: true, force: true });
  });

  it('writes redacted lines with level and fields to <logsDir>/cleaner.log, at debug level with --debug', async () => {
    const logsPath = join(logsDir, 'nested');
    const logger = configureLogging({ logsDir: logsPath, dryRun: true, console: false });
    logger.debug('plan computed', { job: 'clean-dev' });
    logger.info('token received', { token: 'eyJ-secret-token' });
    logger.warn('proxy http://bob:proxy-pass@proxy:3128 slow');
    logger.error('delete failed', { status: 500 });
    await shutdownLogging();
    const text = readFileSync(join(logsPath, 'cleaner.log'), 'utf8');
    assert.match(text, /DEBUG plan computed job=clean-dev\n/);
    assert.match(text, /INFO {2}token received token=\*\*\*\n/);
    assert.match(text, /WARN {2}proxy http:\/\/\*\*\*@proxy:3128 slow\n/);
    assert.match(text, /ERROR delete failed status=500\n/);
    assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:?\d{2}) /);
    assert.ok(!text.includes('eyJ-secret-token') && !text.includes('proxy-pass'));
  });

  it('logs nothing below info without --debug, and the container can build the logger', async () => {
    configureLogging({ logsDir, console: false });
    const container = new Container();
    container.bind<Logger>(Logger).to(Log4jsLogger).inSingletonScope();
    const logger = container.get<Logger>(Logger);
    logger.debug('hidden detail');
    logger.info('visible line');
    await shutdownLogging();
    const text = readFileSync(join(logsDir, 'cleaner.log'), 'utf8');
    assert.ok(!text.includes('hidden detail'));
    assert.match(text, /INFO {2}visible line/);
  });
});

describe('configureLogging: JSON lines', () => {
  const logsDir = mkdtempSync(join(tmpdir(), 'reg-cleaner-json-logs-'));
  after(() => {
    rmSync(logsDir, { recursive: true, force: true });
  });

  it('writes one JSON object per line to the file and the console, redacted like text lines', async () => {
    let console = '';
    const logger = configureLogging({
      logsDir,
      format: 'json',
      consoleSink: { write: (text: string) => (console += text) },
    });
    logger.info('job started', { job: 'clean-dev', repositories: 3, dryRun: false });
    logger.warn('proxy http://bob:proxy-pass@proxy:3128 slow', { password: 'hunter2', msg: 'x' });
    logger.debug('below the level');
    await shutdownLogging();
    const file = readFileSync(join(logsDir, 'cleaner.log'), 'utf8');
    for (const text of [file, console]) {
      const lines = text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.equal(lines.length, 2, text);
      const [started, warned] = lines;
      assert.ok(started !== undefined && warned !== undefined);
      assert.deepEqual(Object.keys(started), [
        'time',
        'level',
        'msg',
        'job',
        'repositories',
        'dryRun',
      ]);
      assert.equal(started['level'], 'info');
      assert.equal(started['msg'], 'job started');
      assert.equal(started['repositories'], 3);
      assert.equal(started['dryRun'], false);
      assert.ok(!Number.isNaN(Date.parse(String(started['time']))));
      assert.equal(warned['level'], 'warn');
      assert.equal(warned['msg'], 'proxy http://***@proxy:3128 slow');
      assert.equal(warned['password'], '***');
      assert.equal(warned['field_msg'], 'x', 'a field never overwrites msg');
      assert.ok(!text.includes('hunter2') && !text.includes('proxy-pass'));
    }
  });
});
