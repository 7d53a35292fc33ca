import type { RepositoryLine } from './html-report.js';
import type { ReportAccessory, ReportHead, ReportTag, ReportTail } from './json-report.js';
import { decisionWords, REASON_WORDS, verdictWords } from './report-text.js';
import { formatBytes, formatCount } from '../shared/text/numbers.js';
import { shardLabel } from '../../domain/shard.js';

/** GitHub refuses a job summary above 1 MiB; the report stays under it with room to spare. */
export const MARKDOWN_LIMIT_BYTES = 1024 * 1024 - 4096;
/** Lines kept in memory per list while reading the JSON back (the rest are counted). */
export const MARKDOWN_LIST_CAP = 2_000;

/** What the Markdown report needs, gathered in one pass over the JSON report. */
export interface MarkdownInput {
  readonly head: ReportHead;
  readonly tail: ReportTail;
  readonly repositories: readonly RepositoryLine[];
  /** Deleted tags (would-be deleted in a dry run), the first MARKDOWN_LIST_CAP. */
  readonly deleted: readonly string[];
  readonly deletedTotal: number;
  /** Tags removed alone (`untag`; would-be in a dry run), the first MARKDOWN_LIST_CAP. */
  readonly untagged?: readonly string[];
  readonly untaggedTotal?: number;
  /** Accessories deleted with their image, and orphans (would-be in a dry run), capped. */
  readonly accessories?: readonly string[];
  readonly accessoriesTotal?: number;
  /** Repository errors, failed and skipped deletions (capped); job errors come from `tail`. */
  readonly failures: readonly string[];
  readonly failuresTotal: number;
}

/** Collects MarkdownInput lists from the repositories of a JSON report as they are read. */
export class MarkdownLists {
  readonly deleted: string[] = [];
  readonly untagged: string[] = [];
  readonly failures: string[] = [];
  readonly accessories: string[] = [];
  accessoriesTotal = 0;
  deletedTotal = 0;
  untaggedTotal = 0;
  failuresTotal = 0;

  constructor(private readonly dryRun: boolean) {}

  repository(
    name: string,
    errors: readonly string[],
    tags: readonly ReportTag[],
    accessories: readonly ReportAccessory[] = [],
  ): void {
    for (const error of errors) this.failure(`${mdCode(name)}: ${mdText(error)}`);
    for (const accessory of accessories) this.accessory(name, accessory);
    for (const tag of tags) {
      if (tag.action === 'untag') this.untag(name, tag);
      if (tag.action !== 'delete') continue;
      const reference = mdCode(`${name}:${tag.tag}`);
      if (this.acted(tag.outcome, 'deleted')) {
        this.deletedTotal += 1;
        const created = tag.created === null ? '' : `, created ${tag.created.slice(0, 10)}`;
        if (this.deleted.length < MARKDOWN_LIST_CAP)
          this.deleted.push(`${reference} (${mdText(REASON_WORDS[tag.reason])}${created})`);
      } else {
        this.failure(
          `${reference}: ${mdText(decisionWords(tag, this.dryRun))}${because(tag.outcomeDetail)}`,
        );
      }
    }
  }

  private untag(name: string, tag: ReportTag): void {
    const reference = mdCode(`${name}:${tag.tag}`);
    if (!this.acted(tag.outcome, 'untagged')) {
      this.failure(
        `${reference}: ${mdText(decisionWords(tag, this.dryRun))}${because(tag.outcomeDetail)}`,
      );
      return;
    }
    this.untaggedTotal += 1;
    if (this.untagged.length < MARKDOWN_LIST_CAP) this.untagged.push(reference);
  }

  /** `repo@sha256:…` (its tags), whose image, or why it failed. */
  private accessory(name: string, accessory: ReportAccessory): void {
    const reference = mdCode(`${name}@${accessory.digest}`);
    const tags = accessory.tags.length === 0 ? '' : ` (${accessory.tags.map(mdCode).join(', ')})`;
    const owner = accessory.orphan
      ? 'orphan: its image was already gone'
      : `with image ${mdCode(accessory.subject)}`;
    if (!this.acted(accessory.outcome, 'deleted')) {
      this.failure(`${reference}${tags}, ${owner}: not deleted${because(accessory.outcomeDetail)}`);
      return;
    }
    this.accessoriesTotal += 1;
    if (this.accessories.length < MARKDOWN_LIST_CAP)
      this.accessories.push(`${reference}${tags}, ${owner}`);
  }

  /** Done as planned: removed, found gone already, or (dry run) skipped as every dry-run write is. */
  private acted(outcome: string | null, success: 'deleted' | 'untagged'): boolean {
    return (
      outcome === success || outcome === 'already-gone' || (this.dryRun && outcome === 'skipped')
    );
  }

  private failure(line: string): void {
    this.failuresTotal += 1;
    if (this.failures.length < MARKDOWN_LIST_CAP) this.failures.push(line);
  }
}

/** ": <why>" after a failed or skipped entry, or nothing when the report gives no reason. */
function because(detail: string | null): string {
  return detail === null ? '' : `: ${mdText(detail)}`;
}

/**
 * The Markdown report, for CI job summaries: verdict and totals, every failure, a table of
 * counts per repository, the deleted tags. Lists are cut with "and N more" so that the text
 * stays under `limitBytes` (UTF-8).
 */
export function renderMarkdown(input: MarkdownInput, limitBytes = MARKDOWN_LIMIT_BYTES): string {
  const { head, tail } = input;
  const summary = tail.summary;
  const deletedLabel = head.dryRun ? 'would delete' : 'deleted';
  const untaggedLabel = head.dryRun ? 'would untag' : 'untagged';
  const out = new Budget(limitBytes);
  out.always(
    `## reg-cleaner: ${mdText(head.job.name)}${head.shard === undefined ? '' : ` (shard ${shardLabel(head.shard)})`}${head.dryRun ? ' (dry run)' : ''}: ${verdictWords(tail.status, head.dryRun).toLowerCase()}`,
    '',
    `| repositories | examined | no pattern | kept | ${deletedLabel} | ${untaggedLabel} | failed | reclaimable |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${[summary.repositories, summary.examined, summary.unmatched, summary.kept, summary.deleted, summary.untagged, summary.failed].map(formatCount).join(' | ')} | ${formatBytes(summary.reclaimableBytes)} |`,
    '',
    `Registry ${mdText(head.registry)}, started ${head.startedAt}, finished ${tail.finishedAt}.` +
      (tail.status === 'interrupted'
        ? ' **Interrupted** before the job was done: run it again to finish.'
        : ''),
    `Reclaimable is what the registry's garbage collector can free (blobs shared with other repositories stay).`,
    '',
    ...rulesLines(head),
    ...undoLines(head, tail),
  );
  // Reserved for the "and N more" lines, so that they always fit.
  out.reserve(600);
  const failures = [...tail.errors.map(mdText), ...input.failures];
  const failuresTotal = tail.errors.length + input.failuresTotal;
  if (failuresTotal > 0) {
    out.always(`### Failures (${formatCount(failuresTotal)})`, '');
    out.list(
      failures.map((line) => `- ${line}`),
      failuresTotal,
      'failures',
    );
    out.always('');
  }
  if (tail.warnings.length > 0) {
    out.always(`### Warnings (${formatCount(tail.warnings.length)})`, '');
    out.list(
      tail.warnings.map((line) => `- ${mdText(line)}`),
      tail.warnings.length,
      'warnings',
    );
    out.always('');
  }
  if (input.repositories.length > 0) {
    out.always(
      '### Repositories',
      '',
      `| repository | status | examined | no pattern | kept | ${deletedLabel} | ${untaggedLabel} | failed | reclaimable |`,
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    out.list(
      input.repositories.map(
        (line) =>
          `| ${mdCode(line.name)} | ${line.status} | ${[line.summary.examined, line.summary.unmatched, line.summary.kept, line.summary.deleted, line.summary.untagged, line.summary.failed].map(formatCount).join(' | ')} | ${formatBytes(line.reclaimableBytes)} |`,
      ),
      input.repositories.length,
      'repositories',
    );
    out.always('');
  }
  if (input.deletedTotal > 0) {
    out.always(
      `### ${head.dryRun ? 'Would delete' : 'Deleted'} (${formatCount(input.deletedTotal)})`,
      '',
    );
    out.list(
      input.deleted.map((line) => `- ${line}`),
      input.deletedTotal,
      'tags',
    );
    out.always('');
  }
  const untaggedTotal = input.untaggedTotal ?? 0;
  if (untaggedTotal > 0) {
    out.always(
      `### ${head.dryRun ? 'Would untag' : 'Untagged'}, image kept for another tag (${formatCount(untaggedTotal)})`,
      '',
    );
    out.list(
      (input.untagged ?? []).map((line) => `- ${line}`),
      untaggedTotal,
      'tags',
    );
    out.always('');
  }
  const accessoriesTotal = input.accessoriesTotal ?? 0;
  if (accessoriesTotal > 0) {
    out.always(
      `### Signatures, attestations and SBOMs ${head.dryRun ? 'that would be deleted' : 'deleted'} (${formatCount(accessoriesTotal)})`,
      '',
    );
    out.list(
      (input.accessories ?? []).map((line) => `- ${line}`),
      accessoriesTotal,
      'accessories',
    );
    out.always('');
  }
  return out.text();
}

/** The job's rules, one bullet each (rule-summary.ts). */
function rulesLines(head: ReportHead): string[] {
  if (head.rules.length === 0) return [];
  return [
    '### Rules',
    '',
    ...head.rules.map((rule) => `- **${mdText(rule.label)}**: ${mdText(rule.value)}`),
    '',
  ];
}

/** The short "Undo" section: the journal and the commands, or why there is nothing to undo. */
function undoLines(head: ReportHead, tail: ReportTail): string[] {
  if (tail.undo === null) {
    const why = head.dryRun ? 'A dry run deletes nothing' : 'Nothing was deleted';
    return ['### Undo', '', `${why}: there is nothing to undo.`, ''];
  }
  return [
    '### Undo',
    '',
    `Every deletion is journaled in ${mdCode(tail.undo.journal)}. Until the registry's garbage collector runs, this puts the deleted tags back (add \`--dry-run\` to see first what it would do):`,
    '',
    '```sh',
    tail.undo.command.replace(/[\r\n]/g, ''),
    '```',
    '',
  ];
}

/** Lines up to a byte limit; a list that does not fit ends with "and N more". */
class Budget {
  private readonly lines: string[] = [];
  private used = 0;
  private reserved = 0;

  constructor(private readonly limit: number) {}

  always(...lines: string[]): void {
    for (const line of lines) this.push(line);
  }

  reserve(bytes: number): void {
    this.reserved = bytes;
  }

  list(lines: readonly string[], total: number, what: string): void {
    let shown = 0;
    for (const line of lines) {
      if (this.used + size(line) + this.reserved > this.limit) break;
      this.push(line);
      shown += 1;
    }
    if (shown < total)
      this.push(`- … and ${formatCount(total - shown)} more ${what} (see the JSON report)`);
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }

  private push(line: string): void {
    this.lines.push(line);
    this.used += size(line);
  }
}

function size(line: string): number {
  return Buffer.byteLength(line, 'utf8') + 1;
}

/**
 * Text from the registry or an error, made inert for GitHub-flavoured Markdown: no markup, no
 * HTML, no table cell breaks, one line.
 */
export function mdText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1');
}

/** A repository or tag name in code style (names cannot hold a backtick; a stray one is dropped). */
function mdCode(text: string): string {
  return `\`${text.replace(/[`\r\n|]/g, '')}\``;
}
