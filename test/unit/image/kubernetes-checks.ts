// Checks shared by the Kubernetes examples of docs/deployment.md and the manifests of
// deploy/kubernetes/: what operators copy must mount every folder the tool writes (issue 27:
// without /app/reports the pods crash-loop), keep cache/ (the undo journal) on a
// PersistentVolumeClaim, run locked down, pass only real flags, get every "__ENV:" variable of
// its config from a Secret it references, and probe the metrics server where it listens.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { parseCommandLine } from '../../../src/adapters/cli/command-line.js';
import { loadConfig } from '../../../src/adapters/config/load-config.js';
import { defaultWrittenFolders } from './written-folders.js';

export interface Container {
  name: string;
  image?: string;
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { memory?: string } };
  args?: string[];
  envFrom?: { secretRef?: { name: string } }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
}

export interface PodSpec {
  securityContext?: { runAsUser?: number; runAsNonRoot?: boolean; fsGroup?: number };
  containers: Container[];
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
}

export interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    replicas?: number;
    strategy?: { type: string };
    concurrencyPolicy?: string;
    template?: { spec: PodSpec };
    jobTemplate?: { spec: { template: { spec: PodSpec } } };
  };
}

// Both Dockerfiles run in /app (dockerfiles.test.ts keeps them in step).
const WORKDIR = /^WORKDIR (\S+)$/m.exec(
  readFileSync(join(process.cwd(), 'Dockerfile'), 'utf8'),
)?.[1];
export const WRITTEN = defaultWrittenFolders(WORKDIR ?? '/');

/** Parsed YAML documents that are objects, as manifests. */
export function asManifests(documents: readonly unknown[]): Manifest[] {
  return documents.filter(
    (value): value is Manifest => typeof value === 'object' && value !== null,
  );
}

/** Every workload's pod spec, named `Kind/name`. */
export function workloadsOf(manifests: readonly Manifest[]): [string, PodSpec][] {
  return manifests.flatMap((item): [string, PodSpec][] => {
    const pod = item.spec?.template?.spec ?? item.spec?.jobTemplate?.spec.template.spec;
    return pod === undefined ? [] : [[`${item.kind}/${item.metadata.name}`, pod]];
  });
}

/** An argument as Kubernetes passes it to the pod of index `index` of an Indexed Job. */
export function expandJobIndex(arg: string, index: number): string {
  return arg.replaceAll('$(JOB_COMPLETION_INDEX)', String(index));
}

/** Registers the checks (inside the caller's describe) for one set of manifests. */
export function checkWorkloads(manifests: readonly Manifest[], kinds: readonly string[]): void {
  const ofKind = (kind: string): Manifest[] => manifests.filter((item) => item.kind === kind);
  const workloads = workloadsOf(manifests);
  const tmp = mkdtempSync(join(tmpdir(), 'reg-cleaner-kubernetes-'));
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it(`hold ${kinds.join(', ')}, and the folders they mount come from the tool`, () => {
    assert.equal(WORKDIR, '/app');
    assert.deepEqual(WRITTEN, ['/app/cache', '/app/logs', '/app/reports']);
    assert.deepEqual(workloads.map(([name]) => name.split('/')[0]).sort(), [...kinds].sort());
  });

  it('mount every folder the tool writes, writable, in every container', () => {
    for (const [name, pod] of workloads) {
      for (const container of pod.containers) {
        const mounts = container.volumeMounts ?? [];
        for (const folder of WRITTEN) {
          const mount = mounts.find((candidate) => candidate.mountPath === folder);
          assert.ok(mount !== undefined, `${name}: ${folder} is not mounted`);
          assert.notEqual(mount.readOnly, true, `${name}: ${folder} is mounted read-only`);
          assert.ok(
            (pod.volumes ?? []).some((volume) => volume.name === mount.name),
            `${name}: no volume ${mount.name}`,
          );
        }
      }
    }
  });

  it('keep cache/ (the undo journal) on a PersistentVolumeClaim defined beside it', () => {
    const claims = ofKind('PersistentVolumeClaim').map((claim) => claim.metadata.name);
    for (const [name, pod] of workloads) {
      for (const container of pod.containers) {
        const mount = (container.volumeMounts ?? []).find(
          (candidate) => candidate.mountPath === '/app/cache',
        );
        const volume = (pod.volumes ?? []).find((candidate) => candidate.name === mount?.name);
        const claim = volume?.persistentVolumeClaim?.claimName;
        assert.ok(claim !== undefined, `${name}: /app/cache is not on a PVC`);
        assert.ok(claims.includes(claim), `${name}: PVC ${claim} is not defined`);
      }
    }
    // The CronJob has a claim of its own: sharing the Deployment's would contend for the lock.
    const claimOf = (kind: string): string | undefined =>
      workloads
        .find(([name]) => name.startsWith(`${kind}/`))?.[1]
        .volumes?.find((volume) => volume.persistentVolumeClaim !== undefined)
        ?.persistentVolumeClaim?.claimName;
    assert.notEqual(claimOf('CronJob'), claimOf('Deployment'));
  });

  it('run non-root, with a read-only root filesystem, no privilege escalation, no capabilities', () => {
    for (const [name, pod] of workloads) {
      assert.equal(pod.securityContext?.runAsNonRoot, true, name);
      assert.equal(pod.securityContext.runAsUser, 1000, name);
      assert.equal(pod.securityContext.fsGroup, 1000, `${name}: the PVC must be writable`);
      for (const container of pod.containers) {
        assert.equal(container.securityContext?.readOnlyRootFilesystem, true, name);
        assert.equal(container.securityContext.allowPrivilegeEscalation, false, name);
        assert.deepEqual(container.securityContext.capabilities?.drop, ['ALL'], name);
      }
    }
  });

  it('pass only real flags, in the mode each workload is for', () => {
    const expected: Record<string, (args: string[]) => boolean> = {
      Deployment: (args) => args.includes('--watch'),
      CronJob: (args) => args.includes('--jobs') && !args.includes('--watch'),
      Job: (args) => args.includes('--restore'),
    };
    for (const [name, pod] of workloads) {
      for (const container of pod.containers) {
        // An Indexed Job's pods get their index there (the sharded overlay checks each one).
        const args = (container.args ?? []).map((arg) => expandJobIndex(arg, 0));
        const parsed = parseCommandLine(args);
        assert.equal(parsed.kind, 'run', `${name}: ${args.join(' ')}: ${JSON.stringify(parsed)}`);
        assert.ok(expected[name.split('/')[0] ?? '']?.(args), `${name}: ${args.join(' ')}`);
      }
    }
  });

  it('give each workload every "__ENV:" variable of the config from a Secret it references, and the config loads', () => {
    const data = ofKind('ConfigMap')[0]?.data;
    assert.ok(data !== undefined, 'a ConfigMap with the config files');
    const configDir = join(tmp, 'config');
    mkdirSync(configDir, { recursive: true });
    for (const [file, text] of Object.entries(data)) writeFileSync(join(configDir, file), text);
    const secrets = new Map(ofKind('Secret').map((item) => [item.metadata.name, item.stringData]));
    const needed = [...(data['config.yaml'] ?? '').matchAll(/__ENV:\s*(\w+)/g)].map(
      (match) => match[1] ?? '',
    );
    assert.ok(needed.includes('REGISTRY_PASSWORD') && needed.includes('SLACK_WEBHOOK_URL'));
    for (const [name, pod] of workloads) {
      for (const container of pod.containers) {
        const env: Record<string, string> = {};
        for (const source of container.envFrom ?? []) {
          const secret = secrets.get(source.secretRef?.name ?? '');
          assert.ok(secret !== undefined, `${name}: Secret ${source.secretRef?.name ?? '?'}`);
          Object.assign(env, secret);
        }
        for (const variable of needed)
          assert.ok(variable in env, `${name}: ${variable} comes from no Secret it references`);
        assert.doesNotThrow(() => loadConfig(configDir, env, { watch: true, manual: true }), name);
      }
    }
  });

  it('probe /healthz and /readyz on the port the metrics server listens on; one replica, Recreate; CronJob Forbid', () => {
    const [deployment] = ofKind('Deployment');
    const [cronJob] = ofKind('CronJob');
    assert.equal(deployment?.spec?.replicas, 1);
    assert.equal(deployment.spec.strategy?.type, 'Recreate');
    assert.equal(cronJob?.spec?.concurrencyPolicy, 'Forbid');
    const config = ofKind('ConfigMap')[0]?.data?.['config.yaml'] ?? '';
    const listen = /^\s*listen:\s*([\d.]+):(\d+)/m.exec(config);
    assert.ok(listen !== null, 'metrics.listen in config.yaml');
    const container = deployment.spec.template?.spec.containers[0];
    const port = container?.ports?.find((candidate) => candidate.name === 'metrics');
    assert.equal(String(port?.containerPort), listen[2]);
    assert.equal(container?.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
    for (const probe of [container.livenessProbe, container.readinessProbe])
      assert.ok([port?.name, port?.containerPort].includes(probe.httpGet?.port));
  });
}
