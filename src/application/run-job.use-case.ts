import { inject, injectable } from 'inversify';
import { forEachBounded, mapBounded, type Weigh } from './bounded-work.js';
import { messageOf } from './error-message.js';
import { KeyedSerial } from './keyed-serial.js';
import { RunEvents } from './run-events.js';
import { planDeletions, type PlannedDeletion, type PlannedUntag } from '../domain/deletion-plan.js';
import type { TagDecision } from '../domain/decision.js';
import type {
  JournalEntry,
  JournalRole,
  ManifestWithChildren,
} from '../domain/deletion-journal.js';
import { isAccessoryTag } from '../domain/accessory.js';
import { planAccessories } from './accessory-plan.js';
import type { AccessoryManifest } from './accessory-walk.js';
import { tagsMatchingAnyPattern, type Job } from '../domain/job.js';
import { JobReportBuilder } from '../domain/job-report-builder.js';
import type { WarningsFailJob } from '../domain/job-warnings.js';
import type {
  AccessoryResult,
  DeletionOutcome,
  DeletionResult,
  JobReport,
  RepositoryReport,
  RunMode,
  UntagResult,
} from '../domain/job-report.js';
import { DRY_RUN, skippedRepository } from '../domain/job-report.js';
import { selectTags } from '../domain/select-tags.js';
import { notAVersionWarning } from '../domain/not-a-version.js';
import { reproducibleBuildDateWarning } from '../domain/suspicious-dates.js';
import type { InspectedTag, TagDigest } from '../domain/tag.js';
import { Clock } from './ports/clock.port.js';
import { DeletionJournal } from './ports/deletion-journal.port.js';
import { Logger } from './ports/logger.port.js';
import { Registry, RegistryError, type RepositoryAccess } from './ports/registry.port.js';

/**
 * Deletions started at once per repository. Small on purpose: after SIGTERM the deletions
 * already started are let finish, and no more than these may be queued in the request gate.
 */
const DELETIONS_IN_FLIGHT = 4;
/**
 * How much of a job is under way at once: repositories are streamed through the run. Up to
 * REPOSITORIES_IN_FLIGHT read their tag lists; one goes on to inspect and delete only while the
 * tags of those that went on add up to at most TAGS_IN_FLIGHT (a larger one goes on alone), and
 * it holds its tags until it finishes. Enough to keep the registry adapter's request gate full
 * (its default is 20 requests): one repository that inspects offers a request per tag, and one
 * that deletes offers DELETIONS_IN_FLIGHT (four of 1,000 tags deleting: 16 requests).
 * Small enough that memory does not grow with the size of the registry (about 1.5 KB per tag
 * in flight).
 */
const REPOSITORIES_IN_FLIGHT = 32;
const TAGS_IN_FLIGHT = 4_000;
/**
 * Tags of one repository being inspected at once: 256, or twice the registry's concurrency if
 * that is more (one repository alone then still keeps every request slot busy). The registry
 * adapter decides how many requests go out; a tag started early only waits there holding a
 * suspended chain of calls (about 1 KB): four repositories of 1,000 tags kept 3 MB waiting for
 * the whole run (issue 25).
 */
const INSPECTIONS_IN_FLIGHT = 256;

export interface RunJobOptions {
  readonly dryRun: boolean;
  readonly mode: RunMode;
  /** The repositories to examine, resolved by the caller from the job and the catalog. */
  readonly repositories: readonly string[];
  /** Aborted on SIGINT/SIGTERM: no new deletion starts after that. */
  readonly signal?: AbortSignal;
  /** The run's start as its observers were told (report file names); default: now. */
  readonly startedAt?: Date;
  /** Job-level warnings found before the run (e.g. an `r/<regex>/` that matched nothing). */
  readonly warnings?: readonly string[];
  /** `--strict`: any warning fails the job, as the job's `fail_on_warning: true` does. */
  readonly strict?: boolean;
  /**
   * The registry already accepted this run's credentials (it answered the catalog): the
   * repositories start together instead of waiting for the first one's tag list (issue 25: a
   * round trip, ~40 ms of every run at 20 ms latency, with the network idle). Without it, a
   * refused password costs one 401, not one per repository (an account lockout counts them).
   */
  readonly credentialsAccepted?: boolean;
}

/**
 * Shared between the repositories of one run: once the registry says deletions are
 * impossible (405, missing permission), no further DELETE is sent in this job; once it
 * refuses the credentials, no further repository is started either.
 */
interface DeletionGate {
  stoppedBecause: string | undefined;
  /** The registry refused the credentials: every other repository would fail the same way. */
  credentialsRefused: string | undefined;
  /** The run's deletion journal, once something was written to it (issue 16). */
  journal?: string;
}

/** What every repository of one run of a job shares. */
interface RunContext {
  readonly job: Job;
  /** The run's start: ages are measured from one instant for every repository. */
  readonly now: Date;
  readonly options: RunJobOptions;
  readonly gate: DeletionGate;
  /**
   * Settles when the run's first repository got its tag list (or failed). Unless the
   * credentials were already accepted, the others wait for it, so that refused credentials
   * cost one 401, not one per repository started at once.
   */
  readonly firstAnswer: Promise<void>;
  /** Tags an earlier run left on a placeholder (its journal says so), by repository. */
  readonly leftovers: ReadonlyMap<string, readonly LeftOnPlaceholder[]>;
}

/** A tag an earlier run moved onto a placeholder whose DELETE may not have happened. */
interface LeftOnPlaceholder {
  readonly entry: JournalEntry;
  readonly tag: string;
  readonly placeholder: string;
}

/**
 * RunJob: repositories (streamed, bounded) -> tags -> details -> select -> plan -> delete or
 * dry run. Each finished repository goes to the run's observers and is then released; the
 * returned JobReport keeps counts, summaries and failures only.
 */
@injectable()
export class RunJob {
  /**
   * Each repository's turns, taken by the jobs of this process one after another. Jobs run at
   * once, and two jobs on one repository must not interleave: one would read tags the other is
   * deleting and fail (or, worse, plan from a tag list that is no longer true).
   */
  private readonly turns = new KeyedSerial();

  constructor(
    @inject(Registry) private readonly registry: Registry,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
    @inject(RunEvents) private readonly events: RunEvents,
    @inject(DeletionJournal) private readonly journal: DeletionJournal,
  ) {}

  async execute(job: Job, options: RunJobOptions): Promise<JobReport> {
    const startedAt = options.startedAt ?? this.clock.now();
    for (const warning of this.registry.standingWarnings()) {
      this.logger.warn(warning, { job: job.name });
    }
    this.logger.info('job started', {
      job: job.name,
      dryRun: options.dryRun,
      repositories: options.repositories.length,
    });
    const gate: DeletionGate = { stoppedBecause: undefined, credentialsRefused: undefined };
    let answered: () => void = () => undefined;
    const firstAnswer = new Promise<void>((resolve) => {
      answered = resolve;
    });
    const leftovers = await this.placeholdersLeft(job, options);
    const context: RunContext = { job, now: startedAt, options, gate, firstAnswer, leftovers };
    const builder = new JobReportBuilder({
      jobName: job.name,
      mode: options.mode,
      dryRun: options.dryRun,
      startedAt,
    });
    let finished = 0;
    await forEachBounded(
      options.repositories,
      { items: REPOSITORIES_IN_FLIGHT, weight: TAGS_IN_FLIGHT },
      async (repository, weigh) => {
        const first = repository === options.repositories[0];
        if (!first && options.credentialsAccepted !== true) await firstAnswer;
        const refused = (): boolean => gate.credentialsRefused !== undefined;
        if (refused()) return;
        // After a signal, the repositories not yet started send nothing: they are reported
        // skipped, so that the report says what the run did not get to.
        if (first && stopped(options)) answered(); // the others must not wait for it
        const report = stopped(options)
          ? skippedRepository(repository, 'shutdown')
          : await this.turns.run(repository, () =>
              this.cleanRepository(context, repository, weigh, first ? answered : undefined),
            );
        if (refused() && report.errors.length > 0) return;
        // Every repository warning passes here: WARN in the log file and on stderr.
        for (const warning of report.warnings) {
          this.logger.warn(warning, { job: job.name, repository });
        }
        const summary = builder.add(report);
        finished += 1;
        await this.events.repositoryFinished({
          jobName: job.name,
          dryRun: options.dryRun,
          report,
          summary,
          finished,
        });
      },
    );
    return builder.finish({
      finishedAt: this.clock.now(),
      errors: [gate.credentialsRefused, gate.stoppedBecause].filter(
        (error): error is string => error !== undefined,
      ),
      warnings: options.warnings ?? [],
      interrupted: options.signal?.aborted ?? false,
      ...(gate.journal === undefined ? {} : { journal: gate.journal }),
      ...failOnWarnings(job, options),
    });
  }

  /**
   * The tags that the job's last journal moved onto a placeholder (issue 21), by repository:
   * a run that died, or whose placeholder DELETE failed, between the PUT and the DELETE. Read
   * for real runs of jobs that untag; --restore covers the others.
   */
  private async placeholdersLeft(
    job: Job,
    options: RunJobOptions,
  ): Promise<Map<string, LeftOnPlaceholder[]>> {
    const left = new Map<string, LeftOnPlaceholder[]>();
    if (options.dryRun || job.sharedDigest !== 'untag') return left;
    try {
      const location = await this.journal.latest(job.name);
      if (location === undefined) return left;
      for (const entry of await this.journal.read(location)) {
        for (const { tag, digest } of entry.placeholders ?? []) {
          const list = left.get(entry.repository) ?? [];
          list.push({ entry, tag, placeholder: digest });
          left.set(entry.repository, list);
        }
      }
    } catch (error) {
      this.logger.warn('the last deletion journal could not be read for placeholders to finish', {
        job: job.name,
        error: messageOf(error),
      });
    }
    return left;
  }

  /**
   * Finishes what an earlier run left: a tag still on its placeholder has the placeholder
   * deleted by digest (journaled again first, so that a failure here is found by the next run
   * too). A tag elsewhere (restored, pushed again) is left alone.
   */
  private async finishPlaceholders(
    { job, now, gate, leftovers }: RunContext,
    repository: string,
    access: RepositoryAccess,
  ): Promise<{ warnings: string[]; errors: string[] }> {
    const warnings: string[] = [];
    const errors: string[] = [];
    for (const { entry, tag, placeholder } of leftovers.get(repository) ?? []) {
      try {
        if ((await this.registry.currentDigest(repository, tag, access)) !== placeholder) continue;
        gate.journal = await this.journal.record({
          ...entry,
          tags: [tag],
          placeholders: [{ tag, digest: placeholder }],
          job: job.name,
          runStartedAt: now,
        });
        await this.registry.deleteManifest(repository, placeholder);
        this.logger.info('untagged (placeholder left by an earlier run)', { repository, tag });
        warnings.push(
          `tag ${tag} was left on placeholder ${placeholder} by an earlier run: the placeholder is deleted now, so the tag is removed (its image stays)`,
        );
      } catch (error) {
        if (isStopped(error)) throw error;
        errors.push(
          `tag ${tag} is still on placeholder ${placeholder}, left by an earlier run: ${messageOf(error)}`,
        );
      }
    }
    return { warnings, errors };
  }

  /** One failing repository is recorded in the report; the other repositories go on. */
  private async cleanRepository(
    context: RunContext,
    repository: string,
    weigh: Weigh,
    answered: (() => void) | undefined,
  ): Promise<RepositoryReport> {
    try {
      return await this.cleanRepositoryOrThrow(context, repository, weigh, answered);
    } catch (error) {
      // A request refused because of the signal, or any failure while stopping: not finished.
      if (stopped(context.options)) return skippedRepository(repository, 'shutdown');
      if (error instanceof RegistryError && error.kind === 'auth') {
        // Fail fast: a refused login is the job's problem, not each repository's.
        context.gate.credentialsRefused ??= error.message;
      }
      return this.failedRepository(repository, error);
    } finally {
      answered?.();
    }
  }

  private async cleanRepositoryOrThrow(
    context: RunContext,
    repository: string,
    weigh: Weigh,
    answered: (() => void) | undefined,
  ): Promise<RepositoryReport> {
    const { job, now, options } = context;
    // Token scopes: a real run that may untag asks for push too, once (issue 21).
    const access: RepositoryAccess = options.dryRun
      ? 'read'
      : job.sharedDigest === 'untag'
        ? 'untag'
        : 'delete';
    const healed = await this.finishPlaceholders(context, repository, access);
    const allTags = await this.registry.listTags(repository, access);
    answered?.();
    // Its tags are held until it finishes: it goes on once they fit in the pipeline's budget.
    await weigh(Math.max(1, allTags.length));
    // Accessory tags (signatures, attestations, the referrers fallback tag) are never in a
    // group, whatever a regexp says: they follow their image (behaviour.md 3a).
    const accessoryNames = allTags.filter(isAccessoryTag);
    const tags = allTags.filter((tag) => !isAccessoryTag(tag));
    const matching = tagsMatchingAnyPattern(job.tagPatterns, tags);
    const matchingSet = new Set(matching);
    const unmatched = tags.filter((tag) => !matchingSet.has(tag));

    const inspected = await mapBounded(
      matching,
      Math.max(INSPECTIONS_IN_FLIGHT, 2 * this.registry.concurrency),
      async (tag): Promise<InspectedTag> => ({
        repository,
        tag,
        resolution: await this.registry.inspectTag(repository, tag, access),
      }),
    );
    const decisions = selectTags(inspected, job, now);
    // Tags outside every pattern matter only when they could share a digest with a candidate.
    const hasCandidates = decisions.some((decision) => decision.action === 'delete');
    const others = hasCandidates ? await this.digestsOf(repository, unmatched, access) : [];
    const accessoryDigests =
      accessoryNames.length > 0 && (hasCandidates || job.deleteOrphanedReferrers === true)
        ? await this.digestsOf(repository, accessoryNames, access)
        : accessoryNames.map((tag) => ({ repository, tag, digest: undefined }));
    // An accessory tag counts like any other tag for the shared-digest rule: a digest is
    // deleted only if no tag that stays points at it.
    const plan = planDeletions(
      decisions,
      hasCandidates ? [...others, ...accessoryDigests] : others,
      job.sharedDigest ?? 'keep',
    );
    const accessories = await planAccessories(this.registry, {
      job,
      repository,
      dryRun: options.dryRun,
      decisions: plan.decisions,
      others,
      deletions: plan.deletions,
      accessoryTags: accessoryDigests,
      access,
    });
    // A signal while reading: the decisions rest on reads that were cut short, so none is
    // acted on or reported as made.
    if (stopped(options)) return skippedRepository(repository, 'shutdown');

    const deletions = await mapBounded(plan.deletions, DELETIONS_IN_FLIGHT, (deletion) =>
      this.delete(deletion, accessories.byRoot.get(deletion.digest) ?? [], context),
    );
    const orphans = await this.deleteOrphans(context, repository, accessories.orphanWalk);
    const untags = await mapBounded(plan.untags, DELETIONS_IN_FLIGHT, (untag) =>
      this.untag(untag, context),
    );
    const errors: string[] = [...healed.errors];
    const warnings: string[] = [...healed.warnings, ...accessories.warnings];
    for (const { tag, resolution } of inspected) {
      if (resolution.status === 'failed') errors.push(`tag ${tag}: ${resolution.problem}`);
      if (resolution.status === 'undated') warnings.push(`tag ${tag}: ${resolution.problem}`);
    }
    for (const other of others) {
      if (other.digest === undefined) errors.push(`tag ${other.tag}: digest could not be read`);
    }
    const oddDates = reproducibleBuildDateWarning(plan.decisions);
    if (oddDates !== undefined) warnings.push(oddDates);
    const unranked = notAVersionWarning(plan.decisions);
    if (unranked !== undefined) warnings.push(unranked);
    this.logDecisions(job, plan.decisions);
    return {
      repository,
      decisions: plan.decisions,
      unmatchedTags: unmatched.length,
      unmatched: hasCandidates
        ? others
        : unmatched.map((tag) => ({ repository, tag, digest: undefined })),
      deletions,
      ...(untags.length > 0 ? { untags } : {}),
      ...(orphans.length > 0 ? { orphans } : {}),
      errors,
      warnings,
    };
  }

  private async digestsOf(
    repository: string,
    tags: readonly string[],
    access: RepositoryAccess,
  ): Promise<TagDigest[]> {
    return Promise.all(
      tags.map(async (tag): Promise<TagDigest> => {
        try {
          const pointer = await this.registry.digestOf(repository, tag, access);
          const footprint = pointer.footprint === undefined ? {} : { footprint: pointer.footprint };
          return {
            repository,
            tag,
            digest: pointer.digest,
            children: pointer.children,
            ...footprint,
          };
        } catch (error) {
          this.logger.warn('digest of an unmatched tag could not be read', {
            repository,
            tag,
            error: messageOf(error),
          });
          return { repository, tag, digest: undefined };
        }
      }),
    );
  }

  /** The image, then (once it is gone) each of its accessories, each journaled ahead. */
  private async delete(
    deletion: PlannedDeletion,
    accessories: readonly AccessoryManifest[],
    context: RunContext,
  ): Promise<DeletionResult> {
    const outcome = await this.deleteDigest({ ...deletion, role: 'image' }, context);
    if (outcome.status === 'deleted' || outcome.status === 'already-gone') {
      // Counted as answered, not when the repository ends: a long repository would show 0.
      await this.events.deletionAnswered({
        jobName: context.job.name,
        repository: deletion.repository,
        tags: deletion.tags.length,
      });
    }
    if (accessories.length === 0) return { ...deletion, outcome };
    const imageGone = outcome.status === 'deleted' || outcome.status === 'already-gone';
    const results: AccessoryResult[] = [];
    for (const accessory of accessories) {
      const why = context.options.dryRun ? 'dry run' : 'its image was not deleted';
      results.push({
        ...accessory,
        outcome: imageGone
          ? await this.deleteDigest(
              { repository: deletion.repository, ...accessory, role: 'accessory' },
              context,
            )
          : { status: 'skipped', why },
      });
    }
    return { ...deletion, outcome, accessories: results };
  }

  /** Orphaned accessories (delete_orphaned_referrers), each journaled ahead. */
  private async deleteOrphans(
    context: RunContext,
    repository: string,
    orphans: readonly AccessoryManifest[],
  ): Promise<AccessoryResult[]> {
    const results: AccessoryResult[] = [];
    for (const orphan of orphans) {
      const outcome = await this.deleteDigest(
        { repository, ...orphan, role: 'accessory' },
        context,
      );
      results.push({ ...orphan, outcome });
    }
    return results;
  }

  /**
   * One tag removed alone (`shared_digest: untag`); its image stays for a kept tag. The tag,
   * its manifest and the placeholder it may be moved onto are journaled before any write.
   */
  private async untag(planned: PlannedUntag, context: RunContext): Promise<UntagResult> {
    const { repository, tag, digest, keptFor } = planned;
    const { job, now, options, gate } = context;
    const result = (outcome: UntagResult['outcome']): UntagResult => ({ ...planned, outcome });
    if (options.dryRun) {
      this.logger.info(`would untag (image kept for \`${keptFor}\`)`, { repository, tag });
      return result({ status: 'skipped', why: DRY_RUN });
    }
    const before = heldBack(options, gate);
    if (before !== undefined) return result({ status: 'skipped', why: before });
    let manifest: ManifestWithChildren;
    try {
      manifest = await this.registry.manifestCopy(repository, digest, 'untag');
    } catch (error) {
      if (isStopped(error)) return result({ status: 'skipped', why: SHUTDOWN });
      const problem = `not untagged: its manifest could not be read for the journal: ${messageOf(error)}`;
      this.logger.error('untag failed', { repository, tag, error: problem });
      return result({ status: 'failed', problem });
    }
    const placeholder = this.registry.placeholderFor(tag, manifest.mediaType, this.clock.now());
    try {
      gate.journal = await this.journal.record({
        repository,
        manifest,
        tags: [tag],
        job: job.name,
        runStartedAt: now,
        role: 'untag',
        placeholders: [{ tag, digest: placeholder.manifest.digest }],
      });
    } catch (error) {
      gate.stoppedBecause ??= `deletions stopped: the deletion journal could not be written: ${messageOf(error)}`;
      return result({ status: 'skipped', why: 'deletions stopped in this job' });
    }
    const after = heldBack(options, gate);
    if (after !== undefined) return result({ status: 'skipped', why: after });
    try {
      const removal = await this.registry.removeTag(repository, tag, digest, placeholder);
      switch (removal.status) {
        case 'removed':
          this.logger.info('untagged', {
            repository,
            tag,
            digest,
            keptFor,
            mechanism: removal.mechanism,
          });
          return result({ status: 'untagged', mechanism: removal.mechanism });
        case 'already-gone':
          return result({ status: 'already-gone' });
        case 'moved':
          return result({
            status: 'skipped',
            why: `the tag moved to ${removal.digest} since it was resolved: left as it is`,
          });
      }
    } catch (error) {
      if (isStopped(error)) return result({ status: 'skipped', why: SHUTDOWN });
      const problem = messageOf(error);
      // No push, no delete, deletion disabled: every other untag would fail the same way.
      if (isJobWide(error)) gate.stoppedBecause ??= problem;
      this.logger.error('untag failed', { repository, tag, error: problem });
      return result({ status: 'failed', problem });
    }
  }

  private async deleteDigest(
    target: DigestDeletion,
    { job, now, options, gate }: RunContext,
  ): Promise<DeletionOutcome> {
    const skipped = (why: string): DeletionOutcome => ({ status: 'skipped', why });
    if (options.dryRun) return skipped('dry run');
    const before = heldBack(options, gate);
    if (before !== undefined) return skipped(before);
    const notJournaled = await this.journalAhead(target, { job, now, gate });
    if (notJournaled !== undefined) return notJournaled;
    // Journaling took time (a GET of the manifest, an fsync): a signal, or a 405 answered to
    // another deletion meanwhile, still stops this DELETE. The journal then holds a manifest
    // that was not deleted, as when the DELETE itself is refused; --restore finds its tags in place.
    const after = heldBack(options, gate);
    if (after !== undefined) return skipped(after);
    try {
      const status = await this.registry.deleteManifest(target.repository, target.digest);
      this.logger.info(status === 'deleted' ? 'deleted' : 'already gone', {
        repository: target.repository,
        digest: target.digest,
        tags: target.tags.join(','),
        ...(target.role === 'image' ? {} : { role: target.role }),
      });
      return { status };
    } catch (error) {
      if (isStopped(error)) return skipped(SHUTDOWN);
      const problem = messageOf(error);
      if (isJobWide(error)) {
        gate.stoppedBecause ??= problem;
        return skipped('deletions stopped in this job');
      }
      this.logger.error('deletion failed', {
        repository: target.repository,
        digest: target.digest,
        error: problem,
      });
      return { status: 'failed', problem };
    }
  }

  /**
   * Written ahead (issue 16): the manifest's bytes and tags are on disk before its DELETE goes
   * out. Returns the deletion's outcome when it must not go out.
   */
  private async journalAhead(
    { repository, digest, tags, role }: DigestDeletion,
    { job, now, gate }: Pick<RunContext, 'job' | 'now' | 'gate'>,
  ): Promise<DeletionOutcome | undefined> {
    let manifest: ManifestWithChildren;
    try {
      manifest = await this.registry.manifestCopy(repository, digest, 'delete');
    } catch (error) {
      if (error instanceof RegistryError && error.kind === 'not-found') {
        return { status: 'already-gone' };
      }
      if (isStopped(error)) return { status: 'skipped', why: SHUTDOWN };
      const problem = `not deleted: its manifest could not be read for the journal: ${messageOf(error)}`;
      this.logger.error('deletion failed', { repository, digest, error: problem });
      return { status: 'failed', problem };
    }
    try {
      const entry = {
        repository,
        manifest,
        tags,
        job: job.name,
        runStartedAt: now,
        ...(role === 'image' ? {} : { role }),
      };
      gate.journal = await this.journal.record(entry);
      return undefined;
    } catch (error) {
      // A journal that cannot be written stays so: no deletion without it in this job.
      gate.stoppedBecause ??= `deletions stopped: the deletion journal could not be written: ${messageOf(error)}`;
      return { status: 'skipped', why: 'deletions stopped in this job' };
    }
  }

  private failedRepository(repository: string, error: unknown): RepositoryReport {
    const empty = { repository, decisions: [], deletions: [] };
    // A repository that does not exist (any more) is worth a warning, not a failed job forever.
    if (error instanceof RegistryError && error.kind === 'not-found') {
      return { ...empty, errors: [], warnings: [`repository not found: ${error.message}`] };
    }
    this.logger.error('repository failed', { repository, error: messageOf(error) });
    return { ...empty, errors: [messageOf(error)], warnings: [] };
  }

  /** The console shows the table; the log file keeps every decision at debug level. */
  private logDecisions(job: Job, decisions: readonly TagDecision[]): void {
    for (const decision of decisions) {
      this.logger.debug(DECISION_LOG[decision.action], {
        job: job.name,
        repository: decision.repository,
        tag: decision.tag,
        reason: decision.reason,
        detail: decision.detail,
      });
    }
  }
}

/** One DELETE by digest and what the journal says about it. */
interface DigestDeletion {
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
  readonly role: JournalRole;
}

/**
 * Why no DELETE may go out now, if so. A function, not inline tests: the signal and the gate
 * change while a deletion is journaled, and inline narrowing would hide that.
 */
function heldBack(options: RunJobOptions, gate: DeletionGate): string | undefined {
  if (stopped(options)) return SHUTDOWN;
  if (gate.stoppedBecause !== undefined) return 'deletions stopped in this job';
  return undefined;
}

/** What makes warnings fail this run, if anything: `--strict` names itself first. */
function failOnWarnings(job: Job, options: RunJobOptions): { failOnWarnings?: WarningsFailJob } {
  if (options.strict === true) return { failOnWarnings: '--strict' };
  if (job.failOnWarning === true) return { failOnWarnings: 'fail_on_warning' };
  return {};
}

/** Why a deletion did not go out after SIGINT/SIGTERM. */
const SHUTDOWN = 'shutdown requested';

function stopped(options: RunJobOptions): boolean {
  return options.signal?.aborted === true;
}

/** The registry adapter refused to send the request: the process is stopping. */
function isStopped(error: unknown): boolean {
  return error instanceof RegistryError && error.kind === 'stopped';
}

/** 405 (deletion disabled) and missing permission make every further DELETE of the job fail. */
function isJobWide(error: unknown): boolean {
  return (
    error instanceof RegistryError &&
    (error.kind === 'unsupported' || error.kind === 'auth' || error.kind === 'forbidden')
  );
}

/** The log message of each decision (debug level). */
const DECISION_LOG = { keep: 'kept', delete: 'selected', untag: 'selected to untag' } as const;
