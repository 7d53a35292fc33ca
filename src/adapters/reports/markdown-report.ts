import type { RepositoryLine } from './html-report.js';
import type { ReportAccessory, ReportHead, ReportTag, ReportTail } from './json-report.js';
import { decisionWords, REASON_WORDS, verdictWords } from './report-text.js';
import { formatBytes, formatCount } from '../shared/text/numbers.js';
import { shardLabel } from '../../domain/shard.js';
import { compareCodePoints } from '../../domain/code-point-order.js';

/** GitHub refuses a job summary above 1 MiB; the report stays under it with room to spare. */
export const MARKDOWN_LIMIT_BYTES = 1024 * 1024 - 4096;
/** Lines kept in memory per list (the rest are counted). */
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

/**
 * Collects MarkdownInput lists from the repositories as they finish, in any order: each list
 * holds what a pass over the name-ordered JSON report would have kept, the first
 * MARKDOWN_LIST_CAP lines in repository name order (issue 25: the lists were made by reading
 * and parsing every repository's JSON back at the end of the run).
 */
export class MarkdownLists {
  private readonly deletedLines = new FirstLinesByName(MARKDOWN_LIST_CAP);
  private readonly untaggedLines = new FirstLinesByName(MARKDOWN_LIST_CAP);
  private readonly failureLines = new FirstLinesByName(MARKDOWN_LIST_CAP);
  private readonly accessoryLines = new FirstLinesByName(MARKDOWN_LIST_CAP);
  accessoriesTotal = 0;
  deletedTotal = 0;
  untaggedTotal = 0;
  failuresTotal = 0;

  constructor(private readonly dryRun: boolean) {}

  get deleted(): string[] {
    return this.deletedLines.lines();
  }
  get untagged(): string[] {
    return this.untaggedLines.lines();
  }
  get failures(): string[] {
    return this.failureLines.lines();
  }
  get accessories(): string[] {
    return this.accessoryLines.lines();
  }

  repository(
    name: string,
    errors: readonly string[],
    tags: readonly ReportTag[],
    accessories: readonly ReportAccessory[] = [],
  ): void {
    const found = new RepositoryLines();
    for (const error of errors) found.failure(`${mdCode(name)}: ${mdText(error)}`);
    for (const accessory of accessories) this.accessory(found, name, accessory);
    for (const tag of tags) {
      if (tag.action === 'untag') this.untag(found, name, tag);
      if (tag.action !== 'delete') continue;
      const reference = mdCode(`${name}:${tag.tag}`);
      if (this.acted(tag.outcome, 'deleted')) {
        const created = tag.created === null ? '' : `, created ${tag.created.slice(0, 10)}`;
        found.add(
          found.deleted,
          () => `${reference} (${mdText(REASON_WORDS[tag.reason])}${created})`,
        );
      } else {
        found.failure(
          `${reference}: ${mdText(decisionWords(tag, this.dryRun))}${because(tag.outcomeDetail)}`,
        );
      }
    }
    this.deletedTotal += found.deleted.total;
    this.untaggedTotal += found.untagged.total;
    this.failuresTotal += found.failures.total;
    this.accessoriesTotal += found.accessories.total;
    this.deletedLines.add(name, found.deleted.lines);
    this.untaggedLines.add(name, found.untagged.lines);
    this.failureLines.add(name, found.failures.lines);
    this.accessoryLines.add(name, found.accessories.lines);
  }

  private untag(found: RepositoryLines, name: string, tag: ReportTag): void {
    const reference = mdCode(`${name}:${tag.tag}`);
    if (!this.acted(tag.outcome, 'untagged')) {
      found.failure(
        `${reference}: ${mdText(decisionWords(tag, this.dryRun))}${because(tag.outcomeDetail)}`,
      );
      return;
    }
    found.add(found.untagged, () => reference);
  }

  /** `repo@sha256:…` (its tags), whose image, or why it failed. */
  private accessory(found: RepositoryLines, name: string, accessory: ReportAccessory): void {
    const reference = mdCode(`${name}@${accessory.digest}`);
    const tags = accessory.tags.length === 0 ? '' : ` (${accessory.tags.map(mdCode).join(', ')})`;
    const owner = accessory.orphan
      ? 'orphan: its image was already gone'
      : `with image ${mdCode(accessory.subject)}`;
    if (!this.acted(accessory.outcome, 'deleted')) {
      found.failure(
        `${reference}${tags}, ${owner}: not deleted${because(accessory.outcomeDetail)}`,
      );
      return;
    }
    found.add(found.accessories, () => `${reference}${tags}, ${owner}`);
  }

  /** Done as planned: removed, found gone already, or (dry run) skipped as every dry-run write is. */
  private acted(outcome: string | null, success: 'deleted' | 'untagged'): boolean {
    return (
      outcome === success || outcome === 'already-gone' || (this.dryRun && outcome === 'skipped')
    );
  }
}

/** One list of one repository: every entry counted, the first MARKDOWN_LIST_CAP written out. */
interface CountedLines {
  readonly lines: string[];
  total: number;
}

/** One repository's four lists, in the order its JSON lists the entries. */
class RepositoryLines {
  readonly deleted: CountedLines = { lines: [], total: 0 };
  readonly untagged: CountedLines = { lines: [], total: 0 };
  readonly failures: CountedLines = { lines: [], total: 0 };
  readonly accessories: CountedLines = { lines: [], total: 0 };

  /** Counts an entry; its line is made only while the list is under the cap. */
  add(list: CountedLines, line: () => string): void {
    list.total += 1;
    if (list.lines.length < MARKDOWN_LIST_CAP) list.lines.push(line());
  }

  failure(line: string): void {
    this.add(this.failures, () => line);
  }
}

/**
 * At most `cap` lines of repositories that arrive in any order: the first `cap` in repository
 * name order (code points), each repository's own lines in the order given. A repository that
 * falls beyond the cap loses its lines, later ones in name order first.
 */
export class FirstLinesByName {
  private readonly groups: { readonly name: string; readonly lines: string[] }[] = [];
  private kept = 0;

  constructor(private readonly cap: number) {}

  add(name: string, lines: readonly string[]): void {
    if (lines.length === 0) return;
    let at = this.groups.length;
    while (at > 0 && compareCodePoints(this.groups[at - 1]?.name ?? '', name) > 0) at -= 1;
    this.groups.splice(at, 0, { name, lines: lines.slice(0, this.cap) });
    this.kept += Math.min(lines.length, this.cap);
    while (this.kept > this.cap) {
      const last = this.groups.at(-1);
      if (last === undefined) break;
      const drop = Math.min(this.kept - this.cap, last.lines.length);
      last.lines.length -= drop;
      this.kept -= drop;
      if (last.lines.length === 0) this.groups.pop();
    }
  }

  lines(): string[] {
    return this.groups.flatMap((group) => group.lines);
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
