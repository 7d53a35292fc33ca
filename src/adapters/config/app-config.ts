import type { Job } from '../../domain/job.js';
import type { JournalSettings } from '../journal/journal-settings.js';
import type { NotificationTarget } from '../notify/notification-settings.js';
import type { RegistrySettings } from '../registry/registry-settings.js';
import type { LogFormat } from '../logging/logging-settings.js';
import type { MetricsSettings } from '../metrics/metrics-settings.js';
import type { ReportsSettings } from '../reports/reports-settings.js';

/** Everything the config folder declares, validated. */
export interface AppConfig {
  readonly configDir: string;
  readonly registry: Omit<RegistrySettings, 'httpLogs'>;
  /** The `reports:` section (defaults when absent); optional so that tests can build configs by hand. */
  readonly reports?: ReportsSettings;
  /** jobs.yaml (watch mode); empty when the file is absent. */
  readonly watchJobs: readonly Job[];
  /** manual.yaml (one-shot mode); empty when the file is absent. */
  readonly manualJobs: readonly Job[];
  /** `metrics:` of config.yaml; absent = no metrics endpoint in watch mode. */
  readonly metrics?: MetricsSettings;
  /** `log_format:` of config.yaml; absent = text. */
  readonly logFormat?: LogFormat;
  /** `journal_keep_days`; absent in configs built by hand (tests): the default applies. */
  readonly journal?: JournalSettings;
  /** config.yaml `notifications:`; empty when absent. */
  readonly notifications?: readonly NotificationTarget[];
  /** `--restore` only: targets left out because a variable they name is not set (warnings). */
  readonly skippedNotifications?: readonly string[];
  /** Accepted but worth saying: "<file>: job "x": ..." sentences, logged as warnings. */
  readonly warnings?: readonly string[];
  /** The files that were read (for messages); optional so that tests can build configs by hand. */
  readonly files?: ConfigFiles;
}

export interface ConfigFiles {
  readonly config: string;
  readonly watchJobs?: string;
  readonly manualJobs?: string;
}
