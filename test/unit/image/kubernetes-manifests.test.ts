// deploy/kubernetes/ (issue 24 item 1), validated offline: every file kustomization.yaml
// applies is checked against the Kubernetes schemas (kubernetes-models), then gets the checks
// that docs/deployment.md's examples get (mounts, PVC, lock-down, flags, secrets, probes).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { parse, parseAllDocuments } from 'yaml';
import { asManifests, checkWorkloads, type Manifest, workloadsOf } from './kubernetes-checks.js';

const DIR = join(process.cwd(), 'deploy', 'kubernetes');
const kustomization = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as {
  resources: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
};
const manifests = asManifests(
  kustomization.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map(
      (document) => document.toJS() as unknown,
    ),
  ),
);

/** The schema of each kind we ship; validate() throws naming the path of the first problem. */
type Data<M extends abstract new (data: never) => unknown> = ConstructorParameters<M>[0];
const MODELS: Record<string, (data: unknown) => { validate(): void }> = {
  'apps/v1 Deployment': (data) => new Deployment(data as Data<typeof Deployment>),
  'batch/v1 CronJob': (data) => new CronJob(data as Data<typeof CronJob>),
  'v1 ConfigMap': (data) => new ConfigMap(data as Data<typeof ConfigMap>),
  'v1 PersistentVolumeClaim': (data) =>
    new PersistentVolumeClaim(data as Data<typeof PersistentVolumeClaim>),
  'v1 Secret': (data) => new Secret(data as Data<typeof Secret>),
};

function validate(manifest: Manifest & { apiVersion?: string }): void {
  const model = MODELS[`${manifest.apiVersion ?? '?'} ${manifest.kind}`];
  assert.ok(model !== undefined, `${manifest.kind}: no schema for ${manifest.apiVersion ?? '?'}`);
  model(manifest).validate();
}

describe('deploy/kubernetes', () => {
  it('applies every manifest of the folder', () => {
    const files = readdirSync(DIR)
      .filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')
      .sort();
    assert.deepEqual([...kustomization.resources].sort(), files);
  });

  it('validates against the Kubernetes schemas, offline', () => {
    for (const manifest of manifests) validate(manifest);
    // The validator is not a no-op: a wrong type is refused.
    const [deployment] = manifests.filter((item) => item.kind === 'Deployment');
    assert.ok(deployment !== undefined);
    assert.throws(() => {
      validate({ ...deployment, spec: { ...deployment.spec, replicas: 'one' as unknown as 1 } });
    }, /replicas must be integer/);
  });

  it('names the image that kustomization.yaml sets, in every container', () => {
    const images = new Set((kustomization.images ?? []).map((image) => image.name));
    for (const [name, pod] of workloadsOf(manifests))
      for (const container of pod.containers)
        assert.ok(images.has(container.image ?? ''), `${name}: image ${container.image ?? '?'}`);
  });

  it('gives every container requests and a memory limit above the measured peak RSS', () => {
    // bench/README.md: 287 MB peak for the 100 x 1,000-tag real run, the highest measured.
    const measuredPeakMiB = 287;
    const mebibytes = (value: string | undefined): number => {
      const match = /^(\d+)Mi$/.exec(value ?? '');
      assert.ok(match !== null, `memory in Mi: ${value ?? 'missing'}`);
      return Number(match[1]);
    };
    for (const [name, pod] of workloadsOf(manifests))
      for (const container of pod.containers) {
        const { requests, limits } = container.resources ?? {};
        assert.ok(requests?.cpu !== undefined, `${name}: cpu request`);
        assert.ok(mebibytes(requests.memory) > measuredPeakMiB, `${name}: memory request`);
        assert.ok(mebibytes(limits?.memory) >= mebibytes(requests.memory), `${name}: limit`);
      }
  });

  checkWorkloads(manifests, ['Deployment', 'CronJob']);
});
