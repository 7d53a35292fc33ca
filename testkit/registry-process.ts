// Moved to src/ (the demo starts its registry with it); re-exported for the tests.
// registry-server.ts adds the access log (access-log.ts) on top of it.
export * from '../src/adapters/demo/local-registry/registry-process.js';
