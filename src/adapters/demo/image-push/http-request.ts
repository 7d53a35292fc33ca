import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface RawRequest {
  method: string;
  url: URL;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | string;
  agent: HttpAgent;
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Keep-alive agent: seeding hundreds of blobs over fresh TCP connections would be slow. */
export function createAgent(options: { https: boolean; ca: string | undefined }): HttpAgent {
  const agentOptions = { keepAlive: true, maxSockets: 16 };
  if (!options.https) return new HttpAgent(agentOptions);
  return options.ca === undefined
    ? new HttpsAgent(agentOptions)
    : new HttpsAgent({ ...agentOptions, ca: options.ca });
}

/**
 * A bare node:http call: the pusher (also the tests' fixture builder) avoids the production HTTP
 * stack that the tests examine. A request written into a kept-alive connection that the server
 * was closing at that moment (a token server's 5 s idle timeout; a busy machine widens the race)
 * is sent once more, as Node's `request.reusedSocket` documentation advises.
 */
export async function send(request: RawRequest): Promise<RawResponse> {
  try {
    return await sendOnce(request);
  } catch (error) {
    if (!(error instanceof ClosedConnectionError)) throw error;
    return sendOnce(request);
  }
}

class ClosedConnectionError extends Error {}

function sendOnce(request: RawRequest): Promise<RawResponse> {
  const doRequest = request.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let answered = false;
    const outgoing = doRequest(
      request.url,
      {
        method: request.method,
        headers: request.headers ?? {},
        agent: request.agent,
        timeout: request.timeoutMs ?? 15_000,
      },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    outgoing.on('timeout', () =>
      outgoing.destroy(new Error(`${request.method} ${request.url.href} timed out`)),
    );
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      const closed = outgoing.reusedSocket && !answered && error.code === 'ECONNRESET';
      reject(closed ? new ClosedConnectionError(error.message, { cause: error }) : error);
    });
    outgoing.end(request.body);
  });
}
