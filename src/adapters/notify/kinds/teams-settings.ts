import { plainPostSettings, type PlainPostTarget } from './http-target-settings.js';

/** A Microsoft Teams Workflows webhook. */
export type TeamsTarget = PlainPostTarget<'teams'>;

export const teamsSettings = plainPostSettings('teams');
