import type { AxiosInstance } from 'axios';
import { inject, injectable } from 'inversify';
import { Clock } from '../../application/ports/clock.port.js';
import { axios } from '../shared/http/axios.js';
import { packageVersion } from '../shared/version.js';
import { errorCode } from '../shared/http/transport-failure.js';
import {
  isRetryableCode,
  isRetryableStatus,
  parseRetryAfter,
} from '../shared/http/retry-policy.js';
import { NOTIFY_RETRY_POLICY, type AttemptOutcome } from './delivery.js';

/** Chat services answer with a word or two; nothing worth more is read. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs message bodies to chat and webhook endpoints. Its own axios instance: the registry's
 * transport carries registry credentials, limits and caches that have nothing to do here.
 * No redirects (a moved webhook must be reconfigured, and a redirect could carry headers to
 * another host) and no proxy from the environment.
 */
@injectable()
export class HttpPoster {
  private readonly client: AxiosInstance = axios.create({
    maxRedirects: 0,
    proxy: false,
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    maxContentLength: MAX_ANSWER_BYTES,
    headers: { 'user-agent': `reg-cleaner/${packageVersion()}` },
  });

  constructor(@inject(Clock) private readonly clock: Clock) {}

  async post(
    url: string,
    body: string,
    headers: Readonly<Record<string, string>>,
    timeoutMs: number,
  ): Promise<AttemptOutcome> {
    // One deadline over connect, headers and body; axios's `timeout` alone stops at headers.
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      const response = await this.client.post<string>(url, body, {
        headers: { ...headers },
        timeout: timeoutMs,
        signal: deadline,
      });
      return classifyStatus(
        response.status,
        response.headers['retry-after'],
        response.data,
        this.clock.now(),
      );
    } catch (error) {
      return classifyError(error, deadline.aborted, timeoutMs);
    }
  }
}

/** Standard Webhooks: 2xx is delivered; 408, 429 and 5xx are worth another try; 3xx and 4xx are not. */
export function classifyStatus(
  status: number,
  retryAfter: unknown,
  body: unknown,
  now: Date,
): AttemptOutcome {
  if (status >= 200 && status < 300) return { ok: true };
  const answer =
    typeof body === 'string' && /^[\w .,:;()/-]{1,100}$/.test(body.trim()) ? ` ${body.trim()}` : '';
  const problem = `HTTP ${status}${answer}`;
  if (isRetryableStatus(status, NOTIFY_RETRY_POLICY)) {
    const after = parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined, now);
    return {
      ok: false,
      retryable: true,
      problem,
      ...(after === undefined ? {} : { retryAfterMs: after }),
    };
  }
  if (status >= 300 && status < 400) {
    return {
      ok: false,
      retryable: false,
      problem: `${problem} (a redirect: put the new address in config.yaml)`,
    };
  }
  return { ok: false, retryable: false, problem };
}

function classifyError(error: unknown, deadlineHit: boolean, timeoutMs: number): AttemptOutcome {
  const code = errorCode(error) ?? 'UNKNOWN';
  if (deadlineHit || code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED') {
    return { ok: false, retryable: true, problem: `no answer within ${timeoutMs / 1000} s` };
  }
  // Never the error's message: axios puts the URL (and its token) in some of them.
  return { ok: false, retryable: isRetryableCode(code), problem: `network error ${code}` };
}
