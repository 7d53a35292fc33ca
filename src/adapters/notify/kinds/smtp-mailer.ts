import type { AttemptOutcome } from '../delivery.js';
import type { EmailContent } from './email.js';
import type { EmailTarget } from './email-settings.js';

/** nodemailer's failures that a later attempt may not meet (connection, timeouts). */
const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS_TEMP']);

/**
 * Sends one e-mail through the target's SMTP server with nodemailer (loaded on first use: a
 * configuration without e-mail never loads it). smtps:// is TLS from the start; smtp:// uses
 * STARTTLS when the server offers it.
 */
export async function sendMail(
  target: EmailTarget,
  content: EmailContent,
  timeoutMs: number,
): Promise<AttemptOutcome> {
  const { createTransport } = await import('nodemailer');
  const url = new URL(target.smtpUrl);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  const transport = createTransport({
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
    secure,
    ...(user === '' ? {} : { auth: { user, pass: decodeURIComponent(url.password) } }),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
    debug: false,
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<AttemptOutcome>((resolve) => {
    timer = setTimeout(() => {
      resolve({ ok: false, retryable: true, problem: `no answer within ${timeoutMs / 1000} s` });
    }, timeoutMs);
  });
  try {
    const sent = transport
      .sendMail({
        from: target.from,
        to: [...target.to],
        subject: content.subject,
        text: content.text,
        html: content.html,
      })
      .then((): AttemptOutcome => ({ ok: true }), classify);
    return await Promise.race([sent, deadline]);
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}

/** From nodemailer's `code` and the SMTP reply code; never its message, which may quote the server. */
function classify(error: unknown): AttemptOutcome {
  const fields =
    typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const code = typeof fields.code === 'string' ? fields.code : 'UNKNOWN';
  const reply = typeof fields.responseCode === 'number' ? fields.responseCode : undefined;
  if (code === 'EAUTH') {
    return {
      ok: false,
      retryable: false,
      problem: `SMTP authentication refused${reply === undefined ? '' : ` (${reply})`}`,
    };
  }
  if (reply !== undefined) {
    // RFC 5321: 4yz is a transient failure, 5yz a permanent one.
    return {
      ok: false,
      retryable: reply >= 400 && reply < 500,
      problem: `SMTP ${reply} (${code})`,
    };
  }
  return { ok: false, retryable: RETRYABLE_CODES.has(code), problem: `SMTP error ${code}` };
}
