// docs/deployment.md's Kubernetes and Compose examples are what operators copy: the Kubernetes
// ones get the checks of kubernetes-checks.ts, the Compose one must mount every folder the tool
// writes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { STOP_GRACE_MS } from '../../../src/adapters/process/stop-handling.js';
import { asManifests, checkWorkloads, WRITTEN } from './kubernetes-checks.js';

const DOC = readFileSync(join(process.cwd(), 'docs', 'deployment.md'), 'utf8');

function yamlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
}

describe('docs/deployment.md Kubernetes examples', () => {
  const kubernetes = DOC.slice(DOC.indexOf('\n## Kubernetes'));
  checkWorkloads(
    asManifests(
      yamlBlocks(kubernetes).flatMap((block) =>
        parseAllDocuments(block).map((document) => document.toJS() as unknown),
      ),
    ),
    ['Deployment', 'CronJob', 'Job'],
  );
});

describe('docs/deployment.md wind-down figures', () => {
  it("state the tool's grace period, not an older one", () => {
    const seconds = STOP_GRACE_MS / 1000;
    const deployment = DOC.slice(DOC.indexOf('### Watch mode: a Deployment'));
    assert.match(
      deployment,
      new RegExp(`within ${String(seconds).replace('.', '\\.')} s of .SIGTERM.`),
    );
    // Once the figure was 30 s; Kubernetes' own default is the only 30 s left to mention.
    for (const match of DOC.matchAll(/(\S+ ){0,3}30 s\b/g))
      assert.match(match[0], /default/, `"${match[0]}" in docs/deployment.md`);
  });
});

describe('docs/deployment.md Compose example', () => {
  it('mounts every folder the tool writes', () => {
    const compose = yamlBlocks(DOC)
      .map((block) => parseAllDocuments(block)[0]?.toJS() as unknown)
      .find(
        (value): value is { services: Record<string, { volumes: string[] }> } =>
          typeof value === 'object' && value !== null && 'services' in value,
      );
    const volumes = compose?.services['reg-cleaner']?.volumes ?? [];
    for (const folder of WRITTEN)
      assert.ok(
        volumes.some((volume) => volume.split(':')[1] === folder),
        `compose: ${folder} is not mounted`,
      );
  });
});
