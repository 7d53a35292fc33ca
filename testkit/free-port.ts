// Moved to src/ (the demo ships it); re-exported for the tests.
export * from '../src/adapters/demo/local-registry/free-port.js';
