import { plainPostSettings, type PlainPostTarget } from './http-target-settings.js';

/** A Slack incoming webhook. */
export type SlackTarget = PlainPostTarget<'slack'>;

export const slackSettings = plainPostSettings('slack');
