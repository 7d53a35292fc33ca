// The command line reads --metrics-listen with the parser config.yaml's `metrics.listen` uses.
// Kept apart from metrics-section.ts, which builds a joi schema when it is loaded: the command
// line parser is all `--help` loads, and joi alone was a third of that (issue 25).
export { parseListenAddress, type ListenAddress } from '../metrics/metrics-settings.js';
