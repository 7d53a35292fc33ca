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
 * stack that the tests examine.
 */
export function send(request: RawRequest): Promise<RawResponse> {
  const doRequest = request.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = doRequest(
      request.url,
      {
        method: request.method,
        headers: request.headers ?? {},
        agent: request.agent,
        timeout: request.timeoutMs ?? 15_000,
      },
      (response) => {
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
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}
