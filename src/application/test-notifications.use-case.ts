import { inject, injectable } from 'inversify';
import { Logger } from './ports/logger.port.js';
import { Notifier, type NotificationResult } from './ports/notifier.port.js';

/**
 * `--test-notifications`: a test message to every target, so that operators check their setup
 * before a real failure depends on it. Each result is logged; the caller decides the exit code.
 */
@injectable()
export class TestNotifications {
  constructor(
    @inject(Notifier) private readonly notifier: Notifier,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async execute(): Promise<readonly NotificationResult[]> {
    const results = await this.notifier.sendTestMessages();
    for (const result of results) {
      const fields = { target: result.target, host: result.host, attempts: result.attempts };
      if (result.delivered) this.logger.info('test message delivered', fields);
      else this.logger.warn('test message not delivered', { ...fields, problem: result.problem });
    }
    return results;
  }
}
