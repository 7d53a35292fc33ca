import type http from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A peer that closed this many sockets right after their only answer, and never answered twice
 * on one, does not reuse connections (issue 13: Debian's tinyproxy answers HTTP/1.1 without
 * `Connection: close`, then closes after every response).
 */
const STRIKES_FOR_NEVER_REUSES = 3;
/**
 * Such a peer closes within milliseconds of the answer. A socket that idled for longer before
 * it closed met an idle timeout (a load balancer's, a registry's), which says nothing about reuse.
 */
const CLOSE_RIGHT_AFTER_ANSWER_MS = 1_000;

const pools = new WeakMap<http.Agent, ConnectionPool>();

/** Where a request stood when it was handed a pooled socket. */
interface Reuse {
  readonly socket: Duplex;
  readonly bytesRead: number | undefined;
}

/** Bytes received so far (decrypted ones for TLS); unknown for a stream that is not a socket. */
function bytesReadOf(socket: Duplex): number | undefined {
  return socket instanceof Socket ? socket.bytesRead : undefined;
}

/**
 * A keep-alive agent that knows two things the stock one does not:
 * - which request was written into a pooled socket, and whether any byte came back on it since,
 *   so that a request lost to a connection the peer had already closed can be sent again at once
 *   on a new connection (the case Node's `request.reusedSocket` documentation describes);
 * - whether its peer reuses connections at all. One that closes every connection after one
 *   answer gets no more sockets put back in the pool, so that there is nothing left to resend.
 */
export class ConnectionPool {
  /** The keep-alive agent the pool wraps; requests name it as their `agent`. */
  readonly agent: http.Agent;
  private oneShotAgent: http.Agent | undefined;
  private reuse: 'unknown' | 'seen' | 'never' = 'unknown';
  private strikes = 0;
  private destroyed = false;
  /** While reuse is unknown: when each socket completed its first answer. */
  private readonly firstAnswerAt = new WeakMap<Duplex, number>();
  private readonly reuses = new WeakMap<http.ClientRequest, Reuse>();

  /** `create(true)` makes the pooled agent, `create(false)` the one-shot one for resends. */
  constructor(
    private readonly create: (keepAlive: boolean) => http.Agent,
    private readonly now: () => number = () => performance.now(),
  ) {
    const agent = create(true);
    // Both are documented as meant to be overridden. @types/node types keepSocketAlive as
    // returning void; Node destroys the socket instead of pooling it when it returns false.
    const keepSocketAlive = agent.keepSocketAlive.bind(agent) as (socket: Duplex) => boolean;
    const reuseSocket = agent.reuseSocket.bind(agent);
    agent.keepSocketAlive = (socket) => this.mayPool(socket) && keepSocketAlive(socket);
    agent.reuseSocket = (socket, request) => {
      this.reuses.set(request, { socket, bytesRead: bytesReadOf(socket) });
      reuseSocket(socket, request);
    };
    this.agent = agent;
    pools.set(agent, this);
  }

  /** The pool that made `agent`, if one did. */
  static of(agent: http.Agent): ConnectionPool | undefined {
    return pools.get(agent);
  }

  /** False once the peer was seen closing every connection after one answer. */
  get reusesConnections(): boolean {
    return this.reuse !== 'never';
  }

  /**
   * Whether `request` went out on a pooled socket and failed before a single byte of an answer
   * came back on it: the peer had closed the connection and never saw the request, so sending it
   * again cannot do anything twice (and GET, HEAD and DELETE are idempotent anyway).
   */
  lostToStaleSocket(request: http.ClientRequest): boolean {
    const reuse = this.reuses.get(request);
    return (
      request.reusedSocket &&
      reuse?.bytesRead !== undefined &&
      bytesReadOf(reuse.socket) === reuse.bytesRead
    );
  }

  /** An agent that opens a new connection for each request and closes it after the answer. */
  oneShot(): http.Agent {
    this.oneShotAgent ??= this.create(false);
    return this.oneShotAgent;
  }

  destroy(): void {
    this.destroyed = true;
    this.agent.destroy();
    this.oneShotAgent?.destroy();
  }

  /** Called by the agent each time an answer is complete and the socket could go to the pool. */
  private mayPool(socket: Duplex): boolean {
    if (this.reuse !== 'unknown') {
      return this.reuse === 'seen';
    }
    if (this.firstAnswerAt.has(socket)) {
      // A second complete answer on one connection: this peer reuses connections.
      this.reuse = 'seen';
      return true;
    }
    this.firstAnswerAt.set(socket, this.now());
    socket.once('close', () => {
      this.socketClosed(socket);
    });
    return true;
  }

  private socketClosed(socket: Duplex): void {
    const answeredAt = this.firstAnswerAt.get(socket);
    if (this.reuse !== 'unknown' || this.destroyed || answeredAt === undefined) {
      return;
    }
    if (this.now() - answeredAt > CLOSE_RIGHT_AFTER_ANSWER_MS) {
      return;
    }
    this.strikes += 1;
    if (this.strikes >= STRIKES_FOR_NEVER_REUSES) {
      this.reuse = 'never';
      // Sockets already in the pool are about to be closed by the peer: do not hand them out.
      for (const sockets of Object.values(this.agent.freeSockets)) {
        for (const free of sockets ?? []) free.destroy();
      }
    }
  }
}
