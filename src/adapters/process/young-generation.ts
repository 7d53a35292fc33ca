import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** Two 8 MB semi-spaces: the young generation a run's in-flight objects need. */
export const YOUNG_GENERATION_CAP_BYTES = 16 * 1024 * 1024;

export interface YoungGenerationProbe {
  /** Bytes reserved for V8's new space now. */
  newSpaceBytes(): number;
  /** Stops further growth of the new space (V8 keeps the size it has). */
  stopGrowth(): void;
  /** Calls `check` after garbage collections until it returns true. */
  afterCollections(check: () => boolean): void;
}

const v8Probe: YoungGenerationProbe = {
  newSpaceBytes: () =>
    getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0,
  stopGrowth: () => {
    setFlagsFromString('--semi-space-growth-factor=1');
  },
  afterCollections: (check) => {
    const observer = new PerformanceObserver(() => {
      if (check()) observer.disconnect();
    });
    observer.observe({ entryTypes: ['gc'] });
  },
};

/**
 * V8 doubles the young generation (new space) whenever enough objects survived its collections,
 * up to 32 MB on 64-bit: a long run always ends there, though what a run keeps in flight is a
 * few MB. That was a quarter of the peak RSS of a 2,000-tag dry run (issue 9). The maximum can
 * only be set when the process starts (--max-semi-space-size, which users' `node` command lines
 * do not carry); stopping the growth can be done at run time. So the growth is stopped once the
 * new space reaches 16 MB: peak RSS 137-140 -> 117-122 MB for the same CPU (a 1 MB new space,
 * V8's start, cost 15% more CPU), measured on Node 20. Newer V8 versions (Node 22 and later)
 * raise the factor to at least 2 and grow the new space their own way: there this changes nothing,
 * and the Dockerfile's NODE_OPTIONS would be the place for --max-semi-space-size.
 */
export function capYoungGeneration(probe: YoungGenerationProbe = v8Probe): void {
  const capped = (): boolean => {
    if (probe.newSpaceBytes() < YOUNG_GENERATION_CAP_BYTES) return false;
    probe.stopGrowth();
    return true;
  };
  if (!capped()) probe.afterCollections(capped);
}
