// What the measured phases need from the registry they run against: the real one
// (real-target.ts: docker-registry seeded with the data set) or the synthetic one
// (synthetic/target.ts: answers computed from the names, nothing stored).
import type { ClassifiedLog } from './access-log.js';
import type { BenchJob } from './dataset.js';
import type { PlannedRequest, RequestCounts } from './floor.js';

export type PhaseName = 'cold' | 'warm' | 'real';

/** What the registry saw of one run, by its own count. */
export interface Observed {
  readonly log: ClassifiedLog;
  /** CPU the registry spent meanwhile (synthetic registry only). */
  readonly registryCpuMs?: number;
  /** TCP connections the registry accepted meanwhile (synthetic registry only). */
  readonly registryConnections?: number;
}

export interface BenchTarget {
  /** `real` or `synthetic`. */
  readonly kind: string;
  readonly url: string;
  readonly job: BenchJob;
  readonly dataset: Readonly<Record<string, number>>;
  readonly seeding: { readonly method: string; readonly ms: number };
  /** The fewest requests each phase needs, by kind. */
  readonly floor: Readonly<Record<PhaseName, RequestCounts>>;
  /** The floor's request lists for the bare client; absent when it is not run. */
  readonly requestLists?: {
    readonly cold: readonly PlannedRequest[];
    readonly warm: readonly PlannedRequest[];
  };
  /** Starts counting what the registry sees; the function returned reads the count. */
  observe(): Promise<() => Promise<Observed>>;
  /** After the real run: one line per repository whose remaining tags are not the plan's. */
  checkSurvivors(): Promise<string[]>;
  /** Facts about the registry itself for the results file (e.g. its own memory). */
  describe(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export interface TargetOptions {
  readonly repositories: number;
  readonly tags: number;
  readonly seed: 'http' | 'fs';
  readonly now: Date;
  readonly log: (message: string) => void;
}
