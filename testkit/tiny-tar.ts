// Moved to src/ (the demo ships it); re-exported for the tests and the benchmark.
export * from '../src/adapters/demo/image-push/tiny-tar.js';
