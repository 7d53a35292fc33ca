import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback HTTP server that tells its handler which connection a request came on and how many
 * requests that connection carried before it, for the keep-alive faults of issue 13: a peer that
 * closes every connection after one answer (Debian's tinyproxy), a pooled connection the peer
 * dropped, a reset on a new connection.
 */
export interface ConnectionRequest {
  readonly method: string;
  readonly url: string;
  /** 0 for the first connection the server accepted. */
  readonly connection: number;
  /** 0 for the first request on its connection. */
  readonly onConnection: number;
}

export type ConnectionHandler = (
  request: ConnectionRequest,
  response: ServerResponse,
  socket: Socket,
) => void;

export interface ConnectionServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly requests: readonly ConnectionRequest[];
  /** Connections accepted so far. */
  connections(): number;
  stop(): Promise<void>;
}

export function startConnectionServer(handler: ConnectionHandler): Promise<ConnectionServer> {
  const requests: ConnectionRequest[] = [];
  const numbers = new WeakMap<Socket, { connection: number; requests: number }>();
  let accepted = 0;
  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const socket = incoming.socket;
    const counts = numbers.get(socket) ?? { connection: -1, requests: 0 };
    const request = {
      method: incoming.method ?? '',
      url: incoming.url ?? '',
      connection: counts.connection,
      onConnection: counts.requests,
    };
    counts.requests += 1;
    requests.push(request);
    handler(request, response, socket);
  });
  server.on('connection', (socket: Socket) => {
    numbers.set(socket, { connection: accepted, requests: 0 });
    accepted += 1;
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        connections: () => accepted,
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

/** A complete small JSON answer on a connection that HTTP/1.1 says stays open. */
export function answer(response: ServerResponse, status = 200): void {
  const body = Buffer.from('{"ok":true}');
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(body.length),
  });
  response.end(body);
}

/** As tinyproxy does: answer without `Connection: close`, then close the connection anyway. */
export function answerThenClose(response: ServerResponse, socket: Socket): void {
  response.on('finish', () => {
    socket.end();
  });
  answer(response);
}

/** Close the connection without a byte of an answer, as if it had been closed before the request. */
export function dropConnection(socket: Socket): void {
  socket.destroy();
}

/** TCP RST without an answer. */
export function resetConnection(socket: Socket): void {
  socket.resetAndDestroy();
}

/** Some bytes of the status line and headers, then the connection closes. */
export function answerPartlyThenClose(socket: Socket): void {
  socket.end('HTTP/1.1 200 OK\r\nContent-Len');
}
