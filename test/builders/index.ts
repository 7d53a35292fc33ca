export * from './tags.js';
export * from './jobs.js';
export * from './report-accessories.js';
