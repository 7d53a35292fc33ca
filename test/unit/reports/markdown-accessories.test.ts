import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EMPTY_SUMMARY,
  provisionalTail,
  reportHead,
  type ReportAccessory,
} from '../../../src/adapters/reports/json-report.js';
import { MarkdownLists, renderMarkdown } from '../../../src/adapters/reports/markdown-report.js';
import { ACCESSORY_DIGESTS, aJob, aReportAccessory } from '../../builders/index.js';

const { image: IMAGE, signature: SIGNATURE, orphan: ORPHAN, failed: FAILED } = ACCESSORY_DIGESTS;

const accessory = aReportAccessory;

function markdown(dryRun: boolean, accessories: readonly ReportAccessory[]): string {
  const lists = new MarkdownLists(dryRun);
  lists.repository('team/app', [], [], accessories);
  const head = reportHead(
    aJob({ name: 'signed' }),
    { dryRun, mode: 'manual', startedAt: new Date('2026-12-07T00:00:00Z') },
    { name: 'reg-cleaner', version: '0.0.0' },
    'registry.example',
  );
  return renderMarkdown({
    head,
    tail: provisionalTail(new Date('2026-12-07T00:01:00Z'), EMPTY_SUMMARY),
    repositories: [],
    deleted: lists.deleted,
    deletedTotal: lists.deletedTotal,
    failures: lists.failures,
    failuresTotal: lists.failuresTotal,
    accessories: lists.accessories,
    accessoriesTotal: lists.accessoriesTotal,
  });
}

describe('Markdown report: accessories (issue 21)', () => {
  it('lists each deleted accessory with its image, orphans as such, and failures among failures', () => {
    const text = markdown(false, [
      accessory(SIGNATURE),
      accessory(ORPHAN, { orphan: true, subject: `sha256:${'e'.repeat(64)}`, tags: [] }),
      accessory(FAILED, { outcome: 'failed', outcomeDetail: 'DELETE answered 500' }),
    ]);
    assert.match(text, /### Signatures, attestations and SBOMs deleted \(2\)/);
    assert.ok(
      text.includes(
        `\`team/app@${SIGNATURE}\` (\`sha256-${'a'.repeat(64)}.sig\`), with image \`${IMAGE}\``,
      ),
    );
    assert.ok(text.includes(`\`team/app@${ORPHAN}\`, orphan: its image was already gone`));
    assert.match(text, /### Failures \(1\)/);
    assert.ok(text.includes(`\`team/app@${FAILED}\``) && text.includes('DELETE answered 500'));
  });

  it('says "would be deleted" in a dry run, where every outcome is skipped', () => {
    const text = markdown(true, [
      accessory(SIGNATURE, { outcome: 'skipped', outcomeDetail: 'dry run' }),
    ]);
    assert.match(text, /### Signatures, attestations and SBOMs that would be deleted \(1\)/);
    assert.doesNotMatch(text, /### Failures/);
  });

  it('writes no section when nothing went with an image', () => {
    assert.doesNotMatch(markdown(false, []), /Signatures, attestations and SBOMs/);
  });
});
