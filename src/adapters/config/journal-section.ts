import Joi from 'joi';
import { DEFAULT_JOURNAL_KEEP_DAYS, type JournalSettings } from '../journal/journal-settings.js';

export interface ValidatedJournalKeys {
  readonly journal_keep_days: number;
}

/** config.yaml keys of the deletion journal (issue 16). */
export const journalKeysSchema = {
  journal_keep_days: Joi.number()
    .integer()
    .min(1)
    .max(3650)
    .default(DEFAULT_JOURNAL_KEEP_DAYS)
    .messages({
      'number.base': 'must be a whole number of days (1 to 3650)',
      'number.integer': 'must be a whole number of days (1 to 3650), got {{#value}}',
      'number.min': 'must be between 1 and 3650 days, got {{#value}}',
      'number.max': 'must be between 1 and 3650 days, got {{#value}}',
    }),
};

export function journalSettingsOf(validated: Partial<ValidatedJournalKeys>): JournalSettings {
  return { keepDays: validated.journal_keep_days ?? DEFAULT_JOURNAL_KEEP_DAYS };
}
