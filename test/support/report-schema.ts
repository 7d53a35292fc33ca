import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';

/** docs/report.schema.json, compiled once (tests run from the repository root). */
const schema = JSON.parse(
  readFileSync(join(process.cwd(), 'docs', 'report.schema.json'), 'utf8'),
) as object;
const ajv = new Ajv2020({ allErrors: true, strict: true });
// RFC 3339 as the reports write it (Date.toISOString); no ajv-formats needed for one format.
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/);
const validate = ajv.compile(schema);

/** Fails the test, listing every violation, unless `report` matches the schema. */
export function assertValidReport(report: unknown, what = 'report'): void {
  if (validate(report)) return;
  assert.fail(
    `${what} does not match docs/report.schema.json:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`,
  );
}

/** Reads a JSON report file, checks it against the schema and returns it. */
export async function readValidReport(path: string): Promise<ReportFile> {
  const report = JSON.parse(await readFile(path, 'utf8')) as ReportFile;
  assertValidReport(report, path);
  return report;
}

/** The parts of a report the tests look at (the schema checks the rest). */
export interface ReportFile {
  readonly schemaVersion: number;
  readonly dryRun: boolean;
  readonly status: 'success' | 'failed' | 'interrupted';
  readonly startedAt: string;
  readonly registry: string;
  /** `--shard I/N` runs only. */
  readonly shard?: { readonly index: number; readonly count: number };
  readonly job: { readonly orderBy: string; readonly keepRegexps: readonly string[] };
  readonly summary: {
    readonly repositories: number;
    readonly examined: number;
    readonly unmatched: number;
    readonly kept: number;
    readonly deleted: number;
    readonly untagged: number;
    readonly failed: number;
    readonly reclaimableBytes: number;
  };
  readonly errors: readonly string[];
  readonly repositories: readonly {
    readonly name: string;
    readonly status: string;
    /** Why it was not finished (`shutdown`), when status is `skipped`. */
    readonly skipped?: string;
    readonly reclaimableBytes: number;
    readonly errors: readonly string[];
    readonly warnings: readonly string[];
    readonly tags: readonly {
      readonly tag: string;
      readonly digest: string | null;
      readonly created: string | null;
      readonly action: 'keep' | 'delete' | 'untag';
      readonly reason: string;
      readonly detail: string;
      readonly ranking: {
        readonly by: string;
        readonly places: readonly { readonly group: string; readonly rank: number }[];
      } | null;
      readonly outcome: string | null;
    }[];
    /** Accessories deleted with their image, then orphans (issue 21); absent when none. */
    readonly accessories?: readonly {
      readonly digest: string;
      readonly tags: readonly string[];
      readonly subject: string;
      readonly orphan: boolean;
      readonly outcome: string;
    }[];
  }[];
}
