// A delaying reverse proxy in its own process, so that the network case (every request crossing
// a real network) is one command on loopback: `fork('build/bench/latency/proxy.js',
// [UPSTREAM_URL, DELAY_MS])`. Each request is held DELAY_MS before it is forwarded; both sides
// keep their connections alive (a client that pools connections keeps them through the proxy).
// It listens on 127.0.0.1 (port 0), sends { type: 'listening', url }, then answers
// { id, type: 'reset' } and { id, type: 'stats' } on the IPC channel; it exits with its parent.
//
// It also samples how many requests are in flight (arrived, answer not yet sent in full): the
// mean over the window from the first request after a reset to the last answer says how well a
// client keeps its concurrency limit busy.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyStats {
  readonly requests: number;
  /** Mean requests in flight, sampled every SAMPLE_MS from the first request to the last answer. */
  readonly meanInFlight: number;
  readonly peakInFlight: number;
  /** Since the reset: when the first request arrived and the last answer ended (ms). */
  readonly firstRequestMs: number;
  readonly lastAnswerMs: number;
  readonly upstreamErrors: number;
  /** Mean requests in flight per TIMELINE_MS since the first request (where the gaps are). */
  readonly timeline: readonly number[];
}

export type ProxyRequest = { readonly id: number; readonly type: 'reset' | 'stats' };
export type ProxyMessage =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly id: number; readonly type: 'reset' }
  | { readonly id: number; readonly type: 'stats'; readonly stats: ProxyStats };

const SAMPLE_MS = 5;
const TIMELINE_MS = 250;
/** Hop-by-hop headers: they describe one connection, not the message, and are not forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const kept: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name) && value !== undefined) kept[name] = value;
  }
  return kept;
}

class InFlightSampler {
  private inFlight = 0;
  private requests = 0;
  private peak = 0;
  private sum = 0;
  private samples = 0;
  /** The sums as they were when the last answer ended: idle time after it is not counted. */
  private sumAtLastAnswer = 0;
  private samplesAtLastAnswer = 0;
  private resetAt = performance.now();
  private firstRequestAt: number | undefined;
  private lastAnswerAt: number | undefined;
  /** Sums of the samples per TIMELINE_MS bucket, and their counts. */
  private bucketSums: number[] = [];
  private bucketSamples: number[] = [];
  upstreamErrors = 0;

  readonly tick = (): void => {
    if (this.firstRequestAt === undefined) return;
    this.sum += this.inFlight;
    this.samples += 1;
    const bucket = Math.floor((performance.now() - this.firstRequestAt) / TIMELINE_MS);
    this.bucketSums[bucket] = (this.bucketSums[bucket] ?? 0) + this.inFlight;
    this.bucketSamples[bucket] = (this.bucketSamples[bucket] ?? 0) + 1;
  };

  arrived(): void {
    this.firstRequestAt ??= performance.now();
    this.requests += 1;
    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
  }

  answered(): void {
    this.inFlight -= 1;
    this.lastAnswerAt = performance.now();
    this.sumAtLastAnswer = this.sum;
    this.samplesAtLastAnswer = this.samples;
  }

  reset(): void {
    this.requests = 0;
    this.peak = this.inFlight;
    this.sum = this.samples = this.sumAtLastAnswer = this.samplesAtLastAnswer = 0;
    this.resetAt = performance.now();
    this.firstRequestAt = this.lastAnswerAt = undefined;
    this.bucketSums = [];
    this.bucketSamples = [];
    this.upstreamErrors = 0;
  }

  stats(): ProxyStats {
    const since = (at: number | undefined): number =>
      at === undefined ? 0 : Math.round(at - this.resetAt);
    return {
      requests: this.requests,
      meanInFlight:
        this.samplesAtLastAnswer === 0
          ? 0
          : Number((this.sumAtLastAnswer / this.samplesAtLastAnswer).toFixed(2)),
      peakInFlight: this.peak,
      firstRequestMs: since(this.firstRequestAt),
      lastAnswerMs: since(this.lastAnswerAt),
      upstreamErrors: this.upstreamErrors,
      timeline: Array.from(this.bucketSamples, (count, bucket) =>
        count === 0 ? 0 : Number(((this.bucketSums[bucket] ?? 0) / count).toFixed(1)),
      ),
    };
  }
}

function main(): void {
  const send = process.send?.bind(process);
  const [upstreamText, delayText] = process.argv.slice(2);
  const delayMs = Number(delayText);
  if (send === undefined || upstreamText === undefined || !(delayMs >= 0)) {
    process.stderr.write('start me with child_process.fork(proxy.js, [UPSTREAM_URL, DELAY_MS])\n');
    process.exitCode = 2;
    return;
  }
  const upstream = new URL(upstreamText);
  if (upstream.hostname !== '127.0.0.1') throw new Error('the upstream must be on 127.0.0.1');
  const agent = new http.Agent({ keepAlive: true });
  const sampler = new InFlightSampler();
  const server = http.createServer({ keepAlive: true }, (request, response) => {
    sampler.arrived();
    response.once('close', () => {
      sampler.answered();
    });
    setTimeout(() => {
      const forwarded = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: endToEnd(request.headers),
          agent,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
          answer.pipe(response);
        },
      );
      forwarded.once('error', () => {
        sampler.upstreamErrors += 1;
        response.destroy();
      });
      request.pipe(forwarded);
    }, delayMs);
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  const sampling = setInterval(sampler.tick, SAMPLE_MS);
  process.on('message', (message: ProxyRequest) => {
    if (message.type === 'reset') {
      sampler.reset();
      send({ id: message.id, type: 'reset' } satisfies ProxyMessage);
      return;
    }
    send({ id: message.id, type: 'stats', stats: sampler.stats() } satisfies ProxyMessage);
  });
  process.on('disconnect', () => {
    clearInterval(sampling);
    server.close();
    server.closeAllConnections();
    agent.destroy();
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    send({ type: 'listening', url: `http://127.0.0.1:${String(port)}` } satisfies ProxyMessage);
  });
}

main();
