/** `journal_keep_days` of config.yaml: how long the deletion journals of a job are kept. */
export interface JournalSettings {
  readonly keepDays: number;
}
export const JournalSettings = Symbol('JournalSettings');

export const DEFAULT_JOURNAL_KEEP_DAYS = 30;
export const DEFAULT_JOURNAL_SETTINGS: JournalSettings = { keepDays: DEFAULT_JOURNAL_KEEP_DAYS };
