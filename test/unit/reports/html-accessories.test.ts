import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  ReportAccessory,
  ReportRepository,
} from '../../../src/adapters/reports/json-report.js';
import { htmlReport } from '../../../src/adapters/reports/html-report.js';
import { ACCESSORY_DIGESTS, aReportAccessory } from '../../builders/index.js';

const { image: IMAGE, signature: SIGNATURE, orphan: ORPHAN, failed: FAILED } = ACCESSORY_DIGESTS;

const accessory = aReportAccessory;

function section(dryRun: boolean, accessories?: readonly ReportAccessory[]): string {
  const repository: ReportRepository = {
    name: 'team/app',
    status: 'success',
    summary: { examined: 0, unmatched: 0, kept: 0, deleted: 0, untagged: 0, failed: 0 },
    reclaimableBytes: 0,
    errors: [],
    warnings: [],
    tags: [],
    ...(accessories === undefined ? {} : { accessories }),
  };
  return htmlReport.repository(repository, dryRun);
}

function rows(html: string): string[] {
  return html.match(/<tr class="accessory"[^>]*>.*?<\/tr>/g) ?? [];
}

describe('HTML report: accessories (issue 21)', () => {
  it('gives each accessory a row with its digest, tags, image and outcome, outside the tag filter', () => {
    const html = section(false, [
      accessory(SIGNATURE),
      accessory(ORPHAN, { orphan: true, subject: `sha256:${'e'.repeat(64)}`, tags: [] }),
      accessory(FAILED, { outcome: 'failed', outcomeDetail: 'DELETE answered <500>' }),
    ]);
    assert.match(html, /Signatures, attestations and SBOMs deleted with their image \(3\)/);
    assert.equal(rows(html).length, 3);
    const [signature = '', orphan = '', failed = ''] = rows(html);
    assert.ok(signature.includes(`title="${SIGNATURE}"`) && signature.includes(`title="${IMAGE}"`));
    assert.ok(signature.includes(`sha256-${'a'.repeat(64)}.sig`));
    assert.match(signature, /<span class="pill delete">deleted<\/span>/);
    assert.ok(orphan.includes('data-orphan="true"') && orphan.includes('orphan: already gone'));
    assert.ok(orphan.includes('none (a referrer)'));
    assert.ok(failed.includes('<span class="pill failed">failed</span>'));
    assert.ok(failed.includes('DELETE answered &lt;500&gt;'), 'the reason, escaped');
    assert.doesNotMatch(html, /<tr class="accessory" data-action/);
  });

  it('says "would delete" in a dry run without repeating "dry run" on each row', () => {
    const html = section(true, [
      accessory(SIGNATURE, { outcome: 'skipped', outcomeDetail: 'dry run' }),
    ]);
    assert.match(html, /that would be deleted with their image \(1\)/);
    const [row = ''] = rows(html);
    assert.ok(row.includes('>would delete</span>'));
    assert.ok(!row.includes('class="why"'));
  });

  it('writes no accessories table when nothing went with an image', () => {
    assert.doesNotMatch(section(false), /accessor/);
    assert.doesNotMatch(section(false, []), /accessor/);
  });
});
