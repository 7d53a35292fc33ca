export * from './tags.js';
export * from './jobs.js';
