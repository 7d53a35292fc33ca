import { ContainerModule } from 'inversify';
import { DeletionJournal } from '../application/ports/deletion-journal.port.js';
import { RunObserver } from '../application/ports/run-observer.port.js';
import { StateStore } from '../application/ports/state-store.port.js';
import { FileDeletionJournal } from '../adapters/journal/file-deletion-journal.adapter.js';
import { JournalRetentionObserver } from '../adapters/journal/journal-retention.observer.js';
import { DEFAULT_JOURNAL_SETTINGS, JournalSettings } from '../adapters/journal/journal-settings.js';
import {
  FileManifestCache,
  FileManifestCacheOptions,
} from '../adapters/registry/cache/file-manifest-cache.adapter.js';
import { ManifestCache } from '../adapters/registry/cache/manifest-cache.js';
import { StateDir } from '../adapters/shared/files/state-dir.js';
import { FileStateStore } from '../adapters/state/file-state-store.adapter.js';

/**
 * What the state folder holds: run records (one state store, one write queue), deletion
 * journals (issue 16) and the registry cache (tag -> digest and digest facts: warm runs
 * confirm tags with HEAD).
 */
export function stateModule(stateDir: string, journal?: JournalSettings): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(ManifestCache).to(FileManifestCache).inSingletonScope();
    bind(FileManifestCacheOptions).toConstantValue({});
    bind(StateDir).toConstantValue(stateDir);
    bind(FileStateStore).toSelf().inSingletonScope();
    bind(StateStore).toService(FileStateStore);
    // Written ahead of each DELETE, pruned as each real run starts.
    bind(JournalSettings).toConstantValue(journal ?? DEFAULT_JOURNAL_SETTINGS);
    bind(DeletionJournal).to(FileDeletionJournal).inSingletonScope();
    bind(RunObserver).to(JournalRetentionObserver).inSingletonScope();
  });
}
