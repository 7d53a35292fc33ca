export type { AppConfig } from './app-config.js';
export { ConfigError, type ConfigProblem, formatProblem } from './config-error.js';
export { type ConfigNeeds, loadConfig } from './load-config.js';
export { selectJobs } from './select-jobs.js';
