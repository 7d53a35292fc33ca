import 'reflect-metadata';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CleanerMetrics } from '../../../src/adapters/metrics/cleaner-metrics.js';
import { ListenFailure, MetricsServer } from '../../../src/adapters/metrics/metrics-server.js';
import type { Verdict } from '../../../src/adapters/metrics/watch-health.js';

function call(
  port: number,
  path: string,
  method = 'GET',
): Promise<{ status: number; body: string; allow?: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, method }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        const allow = response.headers['allow'];
        resolve({
          status: response.statusCode ?? 0,
          body,
          ...(allow === undefined ? {} : { allow }),
        });
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('MetricsServer', () => {
  let live: Verdict = { ok: true, detail: 'ok' };
  let ready: Verdict = { ok: false, detail: 'watch mode has not started yet' };
  const metrics = new CleanerMetrics();
  const server = new MetricsServer(metrics, { liveness: () => live, readiness: () => ready });
  let port = 0;

  before(async () => {
    port = (await server.listen({ host: '127.0.0.1', port: 0 })).port;
  });
  after(() => server.close());

  it('serves the metrics on GET and their headers only on HEAD', async () => {
    metrics.tagsDeleted.inc({ job: 'clean-dev', dry_run: 'false' }, 3);
    const got = await call(port, '/metrics');
    assert.equal(got.status, 200);
    assert.match(
      got.body,
      /^reg_cleaner_tags_deleted_total\{job="clean-dev",dry_run="false"\} 3$/m,
    );
    assert.match(got.body, /^reg_cleaner_build_info\{version="[^"]+"\} 1$/m);
    assert.match(got.body, /^process_cpu_seconds_total /m);
    assert.deepEqual(await call(port, '/metrics?name[]=x', 'HEAD'), { status: 200, body: '' });
  });

  it('answers the probes with their verdicts: 200 or 503 and the reason', async () => {
    assert.deepEqual(await call(port, '/readyz'), {
      status: 503,
      body: 'watch mode has not started yet\n',
    });
    ready = { ok: true, detail: 'ready' };
    assert.deepEqual(await call(port, '/readyz'), { status: 200, body: 'ready\n' });
    assert.deepEqual(await call(port, '/healthz'), { status: 200, body: 'ok\n' });
    live = { ok: false, detail: 'the scheduler has not ticked for 75 s' };
    assert.deepEqual(await call(port, '/healthz'), {
      status: 503,
      body: 'the scheduler has not ticked for 75 s\n',
    });
  });

  it('serves nothing else: 404 for other paths, 405 for other methods', async () => {
    for (const path of ['/', '/metrics/', '/health', '/config.yaml', '/metrics/../healthz%00']) {
      assert.equal((await call(port, path)).status, 404, path);
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const answer = await call(port, '/metrics', method);
      assert.equal(answer.status, 405, method);
      assert.equal(answer.allow, 'GET, HEAD');
    }
  });

  it('a port already in use is a ListenFailure naming the cause', async () => {
    const second = new MetricsServer(metrics, { liveness: () => live, readiness: () => ready });
    await assert.rejects(second.listen({ host: '127.0.0.1', port }), (error: unknown) => {
      assert.ok(error instanceof ListenFailure);
      assert.equal(error.code, 'EADDRINUSE');
      return true;
    });
    await second.close();
  });
});
