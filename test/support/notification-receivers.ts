import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One POST a receiver got: headers as Node lower-cased them, the body exactly as sent. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** How the receiver answers request n (0-based); default 200. */
export type Answer =
  | {
      readonly status: number;
      readonly headers?: Record<string, string>;
      readonly body?: string;
      /** The answer waits for this (a request held "in flight"). */
      readonly after?: Promise<void>;
    }
  | 'hang';

export interface HttpReceiver {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Resolves once `count` requests have arrived. */
  waitFor(count: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A loopback endpoint standing in for Slack, Teams or a webhook consumer: it records every
 * request and answers from a script (e.g. 503, 503, then 200), or never ('hang').
 */
export function startHttpReceiver(
  answer: (index: number) => Answer = () => ({ status: 200 }),
): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const waiting: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const index = requests.length;
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      for (const waiter of waiting.filter((entry) => requests.length >= entry.count)) {
        waiter.resolve();
      }
      const reply = answer(index);
      if (reply === 'hang') return;
      void (reply.after ?? Promise.resolve()).then(() => {
        response.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        response.end(reply.body ?? (reply.status < 300 ? 'ok' : 'unavailable'));
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${String(port)}`,
        requests,
        waitFor: (count) =>
          requests.length >= count
            ? Promise.resolve()
            : new Promise<void>((done) => waiting.push({ count, resolve: done })),
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => {
              done();
            });
          }),
      });
    });
  });
}

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly user: string | undefined;
  /** The message as sent (headers and MIME body). */
  readonly raw: string;
}

export interface SmtpReceiver {
  /** `smtp://USER:PASSWORD@127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly mails: ReceivedMail[];
  readonly authAttempts: number;
  stop(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 (the smtp-server package) that demands AUTH with the given
 * credentials. Plain text, no STARTTLS: the test is about the protocol, not about certificates.
 */
export function startSmtpReceiver(credentials: {
  readonly user: string;
  readonly password: string;
}): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  let authAttempts = 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      authAttempts += 1;
      if (auth.username === credentials.user && auth.password === credentials.password) {
        callback(null, { user: auth.username });
      } else {
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        mails.push({
          from: from === false ? '' : from.address,
          to: session.envelope.rcptTo.map((address) => address.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    const listener = server.listen(0, '127.0.0.1', () => {
      const { port } = listener.address() as AddressInfo;
      const userinfo = `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}`;
      resolve({
        url: `smtp://${userinfo}@127.0.0.1:${String(port)}`,
        port,
        mails,
        get authAttempts() {
          return authAttempts;
        },
        stop: () =>
          new Promise<void>((done) => {
            server.close(() => {
              done();
            });
          }),
      });
    });
  });
}

/** The decoded text of a MIME part with the given content type (quoted-printable or 7bit). */
export function mimePart(raw: string, contentType: string): string | undefined {
  const start = raw.search(new RegExp(`Content-Type: ${contentType.replace('/', '\\/')}`, 'i'));
  if (start < 0) return undefined;
  const rest = raw.slice(start);
  const headerEnd = rest.indexOf('\r\n\r\n');
  const headers = rest.slice(0, headerEnd);
  const bodyAndMore = rest.slice(headerEnd + 4);
  const body = bodyAndMore.slice(0, bodyAndMore.search(/\r\n--/));
  if (/quoted-printable/i.test(headers)) {
    return body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  if (/base64/i.test(headers))
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}
