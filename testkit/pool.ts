// The one worker pool of the tests and the benchmark (seeding, target checks) is the
// application's own: at most `limit` calls in flight, results in input order.
export { mapBounded as mapPool } from '../src/application/bounded-work.js';
