import type { RestoreSummary } from './restore-summary.js';
import type { RunSummary } from './run-summary.js';

/** What one message is about: a finished run, a `--restore`, or `--test-notifications`. */
export type Notice =
  | { readonly kind: 'run'; readonly summary: RunSummary }
  | { readonly kind: 'restored'; readonly summary: RestoreSummary }
  | {
      readonly kind: 'test';
      /** The target's name, so that the operator sees which entry of config.yaml works. */
      readonly target: string;
      readonly registry: string;
      readonly sentAt: Date;
    };

/** The wording every format uses for a test message: it must not look like a real run. */
export function testText(notice: Extract<Notice, { kind: 'test' }>): string {
  return (
    `TEST MESSAGE from reg-cleaner (--test-notifications) for target "${notice.target}", ` +
    `registry ${notice.registry}. No job ran; if you read this, the target works.`
  );
}
