import assert from 'node:assert/strict';
import { Registry } from '../../src/application/ports/registry.port.js';
import { RunObserver } from '../../src/application/ports/run-observer.port.js';
import { RunManualJobs } from '../../src/application/run-manual-jobs.use-case.js';
import { FileManifestCache } from '../../src/adapters/registry/cache/file-manifest-cache.adapter.js';
import { ManifestCache } from '../../src/adapters/registry/cache/manifest-cache.js';
import { HttpDockerRegistry } from '../../src/adapters/registry/http-docker-registry.adapter.js';
import type { RequestCounts } from '../../src/adapters/shared/http/request-stats.js';
import { buildContainer, closeContainer } from '../../src/container.js';
import type { Job } from '../../src/domain/job.js';
import type { JobReport, RepositoryReport } from '../../src/domain/job-report.js';
import { RecordingLogger } from '../fakes/recording-logger.js';
import { RecordingRunObserver } from '../fakes/recording-run-observer.js';

export interface WholeRun {
  readonly report: JobReport;
  readonly repositories: readonly RepositoryReport[];
  /** The registry adapter's own request counts. */
  readonly counts: RequestCounts;
  readonly logger: RecordingLogger;
}

export interface WholeRunTarget {
  readonly url: string;
  readonly credentials?: { readonly username: string; readonly password: string };
  readonly maxConcurrentRequests?: number;
}

/**
 * One manual job in a fresh container (composition root, registry cache and journal in
 * `stateDir`), as a fresh process would run it, then the container closed.
 */
export async function runWholeJob(
  target: WholeRunTarget,
  stateDir: string,
  job: Job,
  dryRun: boolean,
): Promise<WholeRun> {
  const logger = new RecordingLogger();
  const recorder = new RecordingRunObserver();
  const container = await buildContainer({
    registry: {
      url: target.url,
      ...(target.credentials === undefined ? {} : { credentials: target.credentials }),
      timeoutMs: 10_000,
      maxConcurrentRequests: target.maxConcurrentRequests ?? 8,
      insecure: false,
      httpLogs: false,
    },
    stateDir,
    logger,
    reportStream: { write: () => true },
    watch: false,
  });
  container.bind(RunObserver).toConstantValue(recorder);
  const [report] = await container.get(RunManualJobs).execute([job], { dryRun });
  await closeContainer(container, {});
  const adapter = container.get<Registry>(Registry);
  assert.ok(adapter instanceof HttpDockerRegistry);
  adapter.close();
  const cache = container.get<ManifestCache>(ManifestCache);
  if (cache instanceof FileManifestCache) cache.dispose();
  assert.ok(report !== undefined);
  return { report, repositories: recorder.repositories, counts: adapter.stats.snapshot(), logger };
}
