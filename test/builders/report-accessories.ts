import type { ReportAccessory } from '../../src/adapters/reports/json-report.js';

/** Digests for the accessory rows of the report tests: an image and what goes with it. */
export const ACCESSORY_DIGESTS = {
  image: `sha256:${'a'.repeat(64)}`,
  signature: `sha256:${'b'.repeat(64)}`,
  orphan: `sha256:${'c'.repeat(64)}`,
  failed: `sha256:${'d'.repeat(64)}`,
} as const;

/** An accessory of the report (a cosign signature of ACCESSORY_DIGESTS.image), deleted. */
export function aReportAccessory(
  digest: string,
  extra: Partial<ReportAccessory> = {},
): ReportAccessory {
  return {
    digest,
    tags: [`sha256-${'a'.repeat(64)}.sig`],
    subject: ACCESSORY_DIGESTS.image,
    orphan: false,
    outcome: 'deleted',
    outcomeDetail: null,
    ...extra,
  };
}
