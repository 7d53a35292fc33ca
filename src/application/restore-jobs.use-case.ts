import { inject, injectable } from 'inversify';
import { mapBounded } from './bounded-work.js';
import { messageOf } from './error-message.js';
import { KeyedSerial } from './keyed-serial.js';
import type { JournalEntry, JournalRole, ManifestCopy } from '../domain/deletion-journal.js';
import type { RestoreReport, TagRestore, TagRestoreOutcome } from '../domain/restore-report.js';
import { compareCodePoints } from '../domain/code-point-order.js';
import { DeletionJournal, JournalError } from './ports/deletion-journal.port.js';
import { Logger } from './ports/logger.port.js';
import { Registry, type RepositoryAccess } from './ports/registry.port.js';

/** What to restore: the last journal of a job (`--restore --jobs`), or one file (`--restore-from`). */
export type RestoreSource = { readonly job: string } | { readonly file: string };

export interface RestoreOptions {
  /** `--dry-run`: check and list, write nothing. */
  readonly dryRun: boolean;
  /** Aborted on SIGINT/SIGTERM: no new manifest is PUT after that. */
  readonly signal?: AbortSignal;
}

const RESTORE_ORDER: readonly JournalRole[] = ['image', 'accessory', 'untag'];

/** Journaled manifests checked (or written) at once; the registry adapter gates the requests. */
const MANIFESTS_IN_FLIGHT = 8;

/** A journaled manifest after the checks: which tags to PUT again, and what is settled. */
interface Checked {
  readonly entry: JournalEntry;
  readonly missing: readonly string[];
  readonly settled: readonly TagRestore[];
}

/**
 * RestoreJobs (issue 16): puts back what real runs deleted, from their deletion journals. Every
 * journaled manifest is checked before anything is written: tags that point at the journaled
 * digest are left as they are, tags pushed again since are left alone, and a manifest one of
 * whose blobs is gone (garbage collected) is not restored at all. Then each remaining tag gets
 * its exact manifest bytes back (an index's listed manifests first, by digest), and must
 * resolve to the journaled digest afterwards. Running it twice finds nothing to do.
 */
@injectable()
export class RestoreJobs {
  constructor(
    @inject(Registry) private readonly registry: Registry,
    @inject(DeletionJournal) private readonly journal: DeletionJournal,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async execute(
    sources: readonly RestoreSource[],
    options: RestoreOptions,
  ): Promise<RestoreReport> {
    // Every journal is found and read before the first request: bad input sends nothing.
    const journals = (await Promise.all(sources.map((source) => this.locate(source)))).flat();
    const entries = merge(
      (await Promise.all(journals.map((file) => this.journal.read(file)))).flat(),
    );
    this.logger.info('restore started', {
      journals: journals.join(', '),
      manifests: entries.length,
      dryRun: options.dryRun,
    });
    const access: RepositoryAccess = options.dryRun ? 'read' : 'restore';
    const blobs = new Map<string, Promise<boolean>>();
    const checked = await mapBounded(entries, MANIFESTS_IN_FLIGHT, (entry) =>
      this.check(entry, access, blobs),
    );
    const results = options.dryRun
      ? checked.map((item) => [
          ...item.settled,
          ...item.missing.map((tag) => outcome(item.entry, tag, { status: 'would-restore' })),
        ])
      : await this.writeInOrder(checked, options.signal);
    const tags = results
      .flat()
      .sort(
        (a, b) => compareCodePoints(a.repository, b.repository) || compareCodePoints(a.tag, b.tag),
      );
    for (const tag of tags) this.log(tag);
    const jobs = [...new Set(entries.map((entry) => entry.job))].sort(compareCodePoints);
    return { dryRun: options.dryRun, journals, jobs, tags };
  }

  private async locate(source: RestoreSource): Promise<readonly string[]> {
    if ('file' in source) return [source.file];
    const latest = await this.journal.lastRun(source.job);
    if (latest.length === 0) {
      throw new JournalError(
        `job ${source.job} has no deletion journal: no real run of it deleted anything within journal_keep_days (or --state-dir names another folder)`,
      );
    }
    return latest;
  }

  /** Where each tag points now and, for tags to restore, whether every blob is still there. */
  private async check(
    entry: JournalEntry,
    access: RepositoryAccess,
    blobs: Map<string, Promise<boolean>>,
  ): Promise<Checked> {
    const { repository, manifest } = entry;
    const settled: TagRestore[] = [];
    const missing: string[] = [];
    await Promise.all(
      referencesOf(entry).map(async (tag) => {
        try {
          const current = await this.registry.currentDigest(repository, tag, access);
          // A tag an untag left on its placeholder (issue 21) is put back like a missing one.
          if (current === undefined || current === placeholderOf(entry, tag)) missing.push(tag);
          else if (current === manifest.digest)
            settled.push(outcome(entry, tag, { status: 'in-place' }));
          else settled.push(outcome(entry, tag, { status: 'moved', digest: current }));
        } catch (error) {
          settled.push(outcome(entry, tag, { status: 'failed', problem: messageOf(error) }));
        }
      }),
    );
    if (missing.length === 0) return { entry, missing, settled };
    try {
      const gone = await this.goneBlobs(entry, access, blobs);
      if (gone === undefined) return { entry, missing, settled };
      const reason = `${gone} is gone: the registry's garbage collector removed it, so the manifest cannot be restored`;
      const refused = missing.map((tag) => outcome(entry, tag, { status: 'refused', reason }));
      return { entry, missing: [], settled: [...settled, ...refused] };
    } catch (error) {
      const failed = missing.map((tag) =>
        outcome(entry, tag, {
          status: 'failed',
          problem: `its blobs could not be checked: ${messageOf(error)}`,
        }),
      );
      return { entry, missing: [], settled: [...settled, ...failed] };
    }
  }

  /** The first blob of the manifest (or of a manifest its index lists) that is gone, described. */
  private async goneBlobs(
    { repository, manifest }: JournalEntry,
    access: RepositoryAccess,
    blobs: Map<string, Promise<boolean>>,
  ): Promise<string | undefined> {
    const manifests: readonly ManifestCopy[] = [manifest, ...manifest.children];
    const references = manifests.flatMap((copy) =>
      this.registry.blobsOf(copy).map((blob) => ({ ...blob, of: copy.digest })),
    );
    const gone: string[] = [];
    await Promise.all(
      references.map(async ({ digest, role, of }) => {
        const key = `${repository}@${digest}`;
        let exists = blobs.get(key);
        if (exists === undefined) {
          exists = this.registry.blobExists(repository, digest, access);
          blobs.set(key, exists);
        }
        if (!(await exists)) {
          gone.push(
            of === manifest.digest
              ? `${role} blob ${digest}`
              : `${role} blob ${digest} of platform manifest ${of}`,
          );
        }
      }),
    );
    gone.sort(compareCodePoints);
    const [first] = gone;
    if (first === undefined) return undefined;
    return gone.length === 1 ? first : `${first} (and ${String(gone.length - 1)} more)`;
  }

  /**
   * Images first, then their accessories (a signature names its image), then the tags that were
   * only untagged (issue 21): each role's writes start once the previous role's are done.
   */
  private async writeInOrder(
    checked: readonly Checked[],
    signal: AbortSignal | undefined,
  ): Promise<TagRestore[][]> {
    const results: TagRestore[][] = [];
    // A digest can be an entry of its own and listed by an index entry (an SBOM and its
    // fallback index): requests that write or read it never overlap.
    const perDigest = new KeyedSerial();
    for (const role of RESTORE_ORDER) {
      const batch = checked.filter((item) => (item.entry.role ?? 'image') === role);
      results.push(
        ...(await mapBounded(batch, MANIFESTS_IN_FLIGHT, (i) => this.write(i, signal, perDigest))),
      );
    }
    return results;
  }

  /**
   * The listed manifests by digest, then the manifest under each missing tag, each verified.
   * The entry holds its digest and those it lists meanwhile: a PUT of an index reads the
   * manifests it lists, so nothing else may write them then.
   */
  private async write(
    item: Checked,
    signal: AbortSignal | undefined,
    perDigest: KeyedSerial,
  ): Promise<TagRestore[]> {
    const { entry, missing, settled } = item;
    if (missing.length === 0) return [...settled];
    if (signal?.aborted === true) {
      return failAll(item, 'not restored: stopped by a signal');
    }
    const { repository, manifest } = entry;
    const digests = [manifest, ...manifest.children].map((copy) => `${repository}@${copy.digest}`);
    return perDigest.runAll(digests, () => this.writeHeld(item));
  }

  private async writeHeld(item: Checked): Promise<TagRestore[]> {
    const { entry, missing, settled } = item;
    const { repository, manifest } = entry;
    try {
      for (const child of manifest.children) {
        await this.registry.putManifest(repository, child.digest, child);
      }
    } catch (error) {
      return failAll(item, `a manifest the index lists could not be put back: ${messageOf(error)}`);
    }
    const written: TagRestore[] = [];
    for (const tag of missing) {
      const restored = await this.restoreTag(repository, tag, manifest);
      written.push(outcome(entry, tag, restored));
      const placeholder = placeholderOf(entry, tag);
      if (restored.status === 'restored' && placeholder !== undefined) {
        await this.dropPlaceholder(repository, tag, placeholder);
      }
    }
    return [...settled, ...written];
  }

  /**
   * The placeholder an untag may have left is deleted by digest once its tag is back on the
   * original: it is unique, so nothing else goes with it. A failure leaves an untagged
   * manifest that the garbage collector removes: a warning, not a failed restore.
   */
  private async dropPlaceholder(repository: string, tag: string, digest: string): Promise<void> {
    try {
      await this.registry.deleteManifest(repository, digest);
    } catch (error) {
      this.logger.warn('the placeholder of a restored tag could not be deleted', {
        repository,
        tag,
        digest,
        error: messageOf(error),
      });
    }
  }

  private async restoreTag(
    repository: string,
    tag: string,
    manifest: ManifestCopy,
  ): Promise<TagRestoreOutcome> {
    try {
      const stored = await this.registry.putManifest(repository, tag, manifest);
      if (stored !== manifest.digest) {
        return { status: 'failed', problem: `the registry stored the manifest as ${stored}` };
      }
      // The PUT's answer is not the proof: the tag must resolve to the journaled digest.
      const now = await this.registry.currentDigest(repository, tag, 'restore');
      return now === manifest.digest
        ? { status: 'restored' }
        : { status: 'failed', problem: `after the PUT the tag points at ${now ?? 'nothing'}` };
    } catch (error) {
      return { status: 'failed', problem: messageOf(error) };
    }
  }

  private log({ repository, tag, digest, outcome: result }: TagRestore): void {
    const fields = { repository, tag, digest };
    switch (result.status) {
      case 'restored':
        this.logger.info('restored', fields);
        return;
      case 'would-restore':
      case 'in-place':
        this.logger.debug(result.status, fields);
        return;
      case 'moved':
        this.logger.warn('not restored: the tag was pushed again since', {
          ...fields,
          now: result.digest,
        });
        return;
      case 'refused':
        this.logger.warn('not restorable', { ...fields, reason: result.reason });
        return;
      case 'failed':
        this.logger.error('restore failed', { ...fields, error: result.problem });
        return;
    }
  }
}

/**
 * What a restore puts back for an entry: its tags, or for a manifest that had none (a referrer
 * deleted with its image, issue 21) the manifest itself, by digest.
 */
function referencesOf(entry: JournalEntry): readonly string[] {
  return entry.tags.length > 0 ? entry.tags : [entry.manifest.digest];
}

function placeholderOf(entry: JournalEntry, tag: string): string | undefined {
  return entry.placeholders?.find((placeholder) => placeholder.tag === tag)?.digest;
}

/** The settled tags, and every missing one failed for this reason. */
function failAll({ entry, missing, settled }: Checked, problem: string): TagRestore[] {
  return [...settled, ...missing.map((tag) => outcome(entry, tag, { status: 'failed', problem }))];
}

function outcome(entry: JournalEntry, tag: string, result: TagRestoreOutcome): TagRestore {
  return { repository: entry.repository, tag, digest: entry.manifest.digest, outcome: result };
}

/** One entry per repository and digest (journals of several jobs may name the same one). */
function merge(entries: readonly JournalEntry[]): JournalEntry[] {
  const byDigest = new Map<string, JournalEntry>();
  for (const entry of entries) {
    const key = `${entry.repository}@${entry.manifest.digest}`;
    const known = byDigest.get(key);
    const tags = [...new Set([...(known?.tags ?? []), ...entry.tags])].sort(compareCodePoints);
    // A digest journaled in two roles is restored with the earlier one.
    const roles = [entry.role ?? 'image', ...(known === undefined ? [] : [known.role ?? 'image'])];
    const role = RESTORE_ORDER.find((candidate) => roles.includes(candidate)) ?? 'image';
    const first = known ?? entry;
    const placeholders = [...(known?.placeholders ?? []), ...(entry.placeholders ?? [])];
    byDigest.set(key, {
      repository: first.repository,
      manifest: first.manifest,
      job: first.job,
      runStartedAt: first.runStartedAt,
      tags,
      ...(role === 'image' ? {} : { role }),
      ...(placeholders.length === 0 ? {} : { placeholders }),
    });
  }
  return [...byDigest.values()];
}
