// deploy/kubernetes/ (issue 24 item 1), validated offline: what `kubectl apply -k` applies for
// the base and each overlay is checked against the Kubernetes schemas (kubernetes-models),
// then gets the checks that docs/deployment.md's examples get (mounts, PVC, lock-down, flags,
// secrets, probes), and the overlays' own: the Indexed Job's shards, the PodMonitor.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { parse, parseAllDocuments } from 'yaml';
import { parseCommandLine } from '../../../src/adapters/cli/command-line.js';
import { lookUpDockerCredentials } from '../../../src/adapters/config/docker-config.js';
import {
  asManifests,
  checkWorkloads,
  expandJobIndex,
  type Manifest,
  workloadsOf,
} from './kubernetes-checks.js';

const ROOT = join(process.cwd(), 'deploy', 'kubernetes');
const BASE = join(ROOT, 'base');
const SHARDED = join(ROOT, 'overlays', 'sharded');
const PODMONITOR = join(ROOT, 'overlays', 'with-podmonitor');

interface Kustomization {
  resources: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { patch?: string }[];
}

function kustomizationOf(dir: string): Kustomization {
  return parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
}

/**
 * What `kubectl apply -k dir` applies, for the kustomize features these folders use: resources
 * (files, and folders with a kustomization of their own) and `$patch: delete` patches.
 */
function build(dir: string): Manifest[] {
  const kustomization = kustomizationOf(dir);
  const all = kustomization.resources.flatMap((resource) => {
    const path = join(dir, resource);
    if (statSync(path).isDirectory()) return build(path);
    return asManifests(
      parseAllDocuments(readFileSync(path, 'utf8')).map((document) => document.toJS() as unknown),
    );
  });
  const deleted = (kustomization.patches ?? []).map((entry) => {
    const patch = parse(entry.patch ?? '') as Manifest & { $patch?: string };
    assert.equal(patch.$patch, 'delete', `${dir}: only delete patches are modelled here`);
    const key = `${patch.kind}/${patch.metadata.name}`;
    assert.ok(
      all.some((item) => `${item.kind}/${item.metadata.name}` === key),
      `${dir}: the patch deletes ${key}, which is not there`,
    );
    return key;
  });
  return all.filter((item) => !deleted.includes(`${item.kind}/${item.metadata.name}`));
}

/** The schema of each kind we ship; validate() throws naming the path of the first problem. */
type Data<M extends abstract new (data: never) => unknown> = ConstructorParameters<M>[0];
const MODELS: Record<string, (data: unknown) => { validate(): void }> = {
  'apps/v1 Deployment': (data) => new Deployment(data as Data<typeof Deployment>),
  'batch/v1 CronJob': (data) => new CronJob(data as Data<typeof CronJob>),
  'v1 ConfigMap': (data) => new ConfigMap(data as Data<typeof ConfigMap>),
  'v1 PersistentVolumeClaim': (data) =>
    new PersistentVolumeClaim(data as Data<typeof PersistentVolumeClaim>),
  'v1 Secret': (data) => new Secret(data as Data<typeof Secret>),
  // A CRD: kubernetes-models has no schema for it; its test below checks what matters.
  'monitoring.coreos.com/v1 PodMonitor': () => ({ validate: () => undefined }),
};

function validate(manifest: Manifest & { apiVersion?: string }): void {
  const model = MODELS[`${manifest.apiVersion ?? '?'} ${manifest.kind}`];
  assert.ok(model !== undefined, `${manifest.kind}: no schema for ${manifest.apiVersion ?? '?'}`);
  model(manifest).validate();
}

const base = build(BASE);
const sharded = build(SHARDED);
const withPodMonitor = build(PODMONITOR);
const BUILDS: [string, string, Manifest[]][] = [
  ['base', BASE, base],
  ['overlays/sharded', SHARDED, sharded],
  ['overlays/with-podmonitor', PODMONITOR, withPodMonitor],
];

describe('deploy/kubernetes', () => {
  it('applies the base from the top folder, and every manifest of each folder', () => {
    assert.deepEqual(kustomizationOf(ROOT).resources, ['base']);
    for (const [, dir] of BUILDS) {
      const files = readdirSync(dir)
        .filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')
        .sort();
      const listed = kustomizationOf(dir).resources.filter((resource) =>
        resource.endsWith('.yaml'),
      );
      assert.deepEqual([...listed].sort(), files, dir);
    }
  });

  it('validates against the Kubernetes schemas, offline', () => {
    for (const [, , manifests] of BUILDS) for (const manifest of manifests) validate(manifest);
    // The validator is not a no-op: a wrong type is refused.
    const [deployment] = base.filter((item) => item.kind === 'Deployment');
    assert.ok(deployment !== undefined);
    assert.throws(() => {
      validate({ ...deployment, spec: { ...deployment.spec, replicas: 'one' as unknown as 1 } });
    }, /replicas must be integer/);
  });

  it('names an image that a kustomization sets, in every container', () => {
    for (const [name, dir, manifests] of BUILDS) {
      const images = new Set(
        [BASE, dir].flatMap((folder) => (kustomizationOf(folder).images ?? []).map((i) => i.name)),
      );
      for (const [workload, pod] of workloadsOf(manifests))
        for (const container of pod.containers)
          assert.ok(
            images.has(container.image ?? ''),
            `${name} ${workload}: ${container.image ?? '?'}`,
          );
    }
  });

  it('gives every container requests and a memory limit above the measured peak RSS', () => {
    // bench/README.md: 287 MB peak for the 100 x 1,000-tag real run, the highest measured.
    const measuredPeakMiB = 287;
    const mebibytes = (value: string | undefined): number => {
      const match = /^(\d+)Mi$/.exec(value ?? '');
      assert.ok(match !== null, `memory in Mi: ${value ?? 'missing'}`);
      return Number(match[1]);
    };
    for (const [, , manifests] of BUILDS)
      for (const [name, pod] of workloadsOf(manifests))
        for (const container of pod.containers) {
          const { requests, limits } = container.resources ?? {};
          assert.ok(requests?.cpu !== undefined, `${name}: cpu request`);
          assert.ok(mebibytes(requests.memory) > measuredPeakMiB, `${name}: memory request`);
          assert.ok(mebibytes(limits?.memory) >= mebibytes(requests.memory), `${name}: limit`);
        }
  });

  it('mounts the dockerconfigjson Secret as the Docker config, and the tool finds the credentials in it', () => {
    const configYaml = base.find((item) => item.kind === 'ConfigMap')?.data?.['config.yaml'] ?? '';
    const registryUrl = /^registry_url:\s*(\S+)/m.exec(configYaml)?.[1] ?? '';
    const secrets = base.filter(
      (item) => (item as { type?: string }).type === 'kubernetes.io/dockerconfigjson',
    );
    assert.equal(secrets.length, 1);
    const [secret] = secrets;
    const json = secret?.stringData?.['.dockerconfigjson'] ?? '';
    const dir = mkdtempSync(join(tmpdir(), 'reg-cleaner-dockerconfig-'));
    try {
      writeFileSync(join(dir, 'config.json'), json);
      const found = lookUpDockerCredentials(registryUrl, { DOCKER_CONFIG: dir, HOME: dir });
      assert.deepEqual(found.problems, []);
      assert.equal(found.credentials?.username, 'cleaner');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const [, , manifests] of BUILDS) {
      for (const [name, pod] of workloadsOf(manifests)) {
        const volumes = (pod.volumes ?? []) as {
          name: string;
          secret?: { secretName: string; items?: { key: string; path: string }[] };
        }[];
        const volume = volumes.find((item) => item.secret?.secretName === secret?.metadata.name);
        assert.ok(volume !== undefined, `${name}: no volume of the dockerconfigjson Secret`);
        assert.deepEqual(
          volume.secret?.items,
          [{ key: '.dockerconfigjson', path: 'config.json' }],
          name,
        );
        const volumeName: string = volume.name;
        for (const container of pod.containers) {
          const env = (container as { env?: { name: string; value?: string }[] }).env ?? [];
          const dockerConfig = env.find((item) => item.name === 'DOCKER_CONFIG')?.value;
          const mounts: { name: string; mountPath: string; readOnly?: boolean }[] =
            container.volumeMounts ?? [];
          const mount = mounts.find((item) => item.name === volumeName);
          assert.ok(dockerConfig !== undefined, `${name}: DOCKER_CONFIG`);
          assert.ok(mount !== undefined, `${name}: the Secret is not mounted`);
          assert.equal(mount.mountPath, dockerConfig, `${name}: mounted where DOCKER_CONFIG says`);
          assert.equal(mount.readOnly, true, name);
        }
      }
    }
  });

  describe('base', () => {
    checkWorkloads(base, ['Deployment', 'CronJob']);
  });

  describe('overlays/sharded', () => {
    checkWorkloads(sharded, ['Deployment', 'CronJob']);

    it('replaces the CronJob by an Indexed Job whose N pods run --shard 0/N ... N-1/N, on a shared ReadWriteMany cache', () => {
      assert.deepEqual(
        sharded.filter((item) => item.kind === 'CronJob').map((item) => item.metadata.name),
        ['reg-cleaner-sharded'],
      );
      const cronJob = sharded.find((item) => item.kind === 'CronJob') as unknown as {
        spec: {
          concurrencyPolicy: string;
          jobTemplate: {
            spec: {
              completionMode?: string;
              completions?: number;
              parallelism?: number;
              template: { spec: { containers: { args: string[]; env?: unknown[] }[] } };
            };
          };
        };
      };
      assert.equal(cronJob.spec.concurrencyPolicy, 'Forbid');
      const job = cronJob.spec.jobTemplate.spec;
      assert.equal(job.completionMode, 'Indexed');
      const count = job.completions ?? 0;
      assert.ok(count > 1);
      assert.equal(job.parallelism, count, 'every shard at once');
      const [container] = job.template.spec.containers;
      assert.ok(container !== undefined);
      assert.equal(
        container.args[container.args.indexOf('--shard') + 1],
        `$(JOB_COMPLETION_INDEX)/${String(count)}`,
      );
      assert.deepEqual(
        (container.env ?? []).find(
          (item) => (item as { name?: string }).name === 'JOB_COMPLETION_INDEX',
        ),
        {
          name: 'JOB_COMPLETION_INDEX',
          valueFrom: {
            fieldRef: {
              fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']",
            },
          },
        },
      );
      for (let index = 0; index < count; index++) {
        const parsed = parseCommandLine(container.args.map((arg) => expandJobIndex(arg, index)));
        assert.ok(parsed.kind === 'run', JSON.stringify(parsed));
        assert.deepEqual(parsed.options.shard, { index, count });
      }
      const claim = sharded.find(
        (item) =>
          item.kind === 'PersistentVolumeClaim' &&
          item.metadata.name === 'reg-cleaner-sharded-cache',
      ) as unknown as { spec: { accessModes: string[] } } | undefined;
      assert.deepEqual(claim?.spec.accessModes, ['ReadWriteMany'], 'pods on several nodes');
    });
  });

  describe('overlays/with-podmonitor', () => {
    checkWorkloads(withPodMonitor, ['Deployment', 'CronJob']);

    it("scrapes the watch Deployment's metrics port, by its pod labels", () => {
      const monitor = withPodMonitor.find((item) => item.kind === 'PodMonitor') as unknown as {
        spec: {
          selector: { matchLabels: Record<string, string> };
          podMetricsEndpoints: { port: string; path: string }[];
        };
      };
      const deployment = withPodMonitor.find((item) => item.kind === 'Deployment') as unknown as {
        spec: {
          template: {
            metadata: { labels: Record<string, string> };
            spec: { containers: { ports?: { name?: string }[] }[] };
          };
        };
      };
      const labels = deployment.spec.template.metadata.labels;
      for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels))
        assert.equal(labels[key], value, key);
      const ports = deployment.spec.template.spec.containers.flatMap((container) =>
        (container.ports ?? []).map((port) => port.name),
      );
      assert.ok(monitor.spec.podMetricsEndpoints.length > 0);
      for (const endpoint of monitor.spec.podMetricsEndpoints) {
        assert.ok(ports.includes(endpoint.port), endpoint.port);
        assert.equal(endpoint.path, '/metrics');
      }
    });
  });
});
