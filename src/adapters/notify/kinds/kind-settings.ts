import type Joi from 'joi';
import type { NotifyOn } from '../../../domain/notification-policy.js';

/** What every kind of target has: who it is, when it hears about which jobs. */
export interface TargetBase {
  /** Unique in config.yaml; the only way logs and results name the target. */
  readonly name: string;
  readonly on: readonly NotifyOn[];
  /** Job names, or `*` for every job. */
  readonly jobs: readonly string[];
  /** In --watch, the same failure is sent again only after this long. */
  readonly repeatIntervalMs: number;
}

/** One key a kind adds to a `notifications:` entry of config.yaml. */
export interface KindKey {
  readonly schema: Joi.Schema;
  /**
   * Where `"__ENV: NAME"` may stand: `value` for the key's own value, `entries` for each value
   * of a mapping (header values). Such keys carry tokens and passwords.
   */
  readonly env?: 'value' | 'entries';
}

/** A problem with one field of an entry, located by the config section. */
export interface KindProblem {
  readonly field?: string;
  readonly message: string;
}

/** What the config section hands a kind once the entry has passed joi and `__ENV` resolution. */
export interface KindInput {
  /** The entry with `__ENV` references resolved and joi's conversions applied. */
  readonly value: Readonly<Record<string, unknown>>;
  readonly common: TargetBase;
  /** Fields that already have a problem: no second message for them. */
  readonly failed: ReadonlySet<string>;
  /** Every problem of the entry so far; the kind adds its own. */
  readonly found: KindProblem[];
  /** Values to scrub from every message (passwords found inside URLs). */
  readonly secrets: string[];
}

/**
 * The config.yaml half of a notification kind: its type name, its keys and their validation,
 * and how a validated entry becomes a target. The other half (rendering, delivery) is the
 * kind's module beside this one; config/ may import only this half.
 */
export interface KindSettings<Target extends TargetBase & { readonly type: string }> {
  readonly type: Target['type'];
  readonly keys: Readonly<Record<string, KindKey>>;
  /** The target, or undefined when a problem was added to `input.found`. */
  toTarget(input: KindInput): Target | undefined;
  /** The secret-bearing address of a target: logs and results show only its host. */
  address(target: Target): string;
}

/** A URL, or undefined when the text is none. */
export function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
