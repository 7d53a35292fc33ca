import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { RegistryError } from '../../../application/ports/registry.port.js';
import { ConnectionPool } from './connection-pool.js';
import { isProxyBypassed, normaliseProxyUrl } from './proxy.js';

type TunnelConnectOptions = Parameters<HttpsProxyAgent<string>['connect']>[1];

/**
 * HttpsProxyAgent applies its constructor's TLS options to the connection to the proxy only;
 * the TLS session with the registry inside the tunnel is built from the request's options. So
 * ca_file and insecure are added there, or they would silently not apply behind a proxy.
 */
class VerifyingHttpsProxyAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: URL,
    private readonly targetTls: tls.ConnectionOptions,
    keepAlive: boolean,
  ) {
    super(proxy, { keepAlive, keepAliveMsecs: TCP_KEEPALIVE_MS, ...targetTls });
  }

  override connect(
    request: http.ClientRequest,
    options: TunnelConnectOptions,
  ): ReturnType<HttpsProxyAgent<string>['connect']> {
    if (!options.secureEndpoint) {
      return super.connect(request, options);
    }
    // The agent drops `host` from the inner TLS options and sets `servername` only for DNS
    // names, so an IP-literal registry would be checked against "": check the real host.
    const host = options.host ?? '';
    const verified = {
      ...options,
      rejectUnauthorized: this.targetTls.rejectUnauthorized !== false,
      checkServerIdentity: (_name: string, certificate: tls.PeerCertificate) =>
        tls.checkServerIdentity(host, certificate),
    };
    return super.connect(
      request,
      this.targetTls.ca === undefined ? verified : { ...verified, ca: this.targetTls.ca },
    );
  }
}

/**
 * TCP keep-alive delay of every pooled socket. axios sets 60 s on the socket of every request it
 * sends, and Node's agent set its own `keepAliveMsecs` (1 s by default) each time the socket went
 * back to the pool: the two alternated, and each change costs four setsockopt calls, eight per
 * request (strace, issue 9). With the same value on both sides Node skips the calls.
 */
export const TCP_KEEPALIVE_MS = 60_000;

export interface TransportSettings {
  readonly proxy?: string;
  readonly noProxy?: string;
  readonly caFile?: string;
  readonly insecure: boolean;
}

export interface AgentPair {
  /** Whether these agents go through the proxy. */
  readonly proxied: boolean;
  readonly httpAgent: http.Agent;
  // https.Agent or HttpsProxyAgent (an http.Agent subclass that tunnels and then speaks TLS).
  readonly httpsAgent: http.Agent;
}

/**
 * Keep-alive agents, created on first use and shared by every request of one registry instance
 * (TLS handshakes and token realms are costly). Two pairs: direct, and through the proxy; NO_PROXY
 * decides per URL, since a token realm may live on another host than the registry. Each agent is
 * a ConnectionPool's, so that a request lost to a connection its peer had closed can be resent.
 */
export class TransportAgents {
  private direct: AgentPair | undefined;
  private proxied: AgentPair | undefined;
  private pools: ConnectionPool[] = [];
  private tlsOptions: tls.ConnectionOptions | undefined;

  constructor(private readonly settings: TransportSettings) {}

  agentsFor(url: URL): AgentPair {
    const proxy = this.settings.proxy;
    if (proxy !== undefined && proxy !== '' && !isProxyBypassed(url, this.settings.noProxy)) {
      this.proxied ??= this.createProxied(normaliseProxyUrl(proxy));
      return this.proxied;
    }
    if (this.direct === undefined) {
      const tlsOptions = this.tls();
      this.direct = {
        proxied: false,
        httpAgent: this.pool(
          (keepAlive) => new http.Agent({ keepAlive, keepAliveMsecs: TCP_KEEPALIVE_MS }),
        ),
        httpsAgent: this.pool(
          (keepAlive) =>
            new https.Agent({ keepAlive, keepAliveMsecs: TCP_KEEPALIVE_MS, ...tlsOptions }),
        ),
      };
    }
    return this.direct;
  }

  /** Closes every pooled socket (end of process, end of a test). */
  destroy(): void {
    for (const pool of this.pools) pool.destroy();
    this.pools = [];
    this.direct = undefined;
    this.proxied = undefined;
  }

  private pool(create: (keepAlive: boolean) => http.Agent): http.Agent {
    const pool = new ConnectionPool(create);
    this.pools.push(pool);
    return pool.agent;
  }

  private createProxied(proxyUrl: string): AgentPair {
    let parsed: URL;
    try {
      parsed = new URL(proxyUrl);
    } catch {
      // Never echo the value: it may hold the proxy's password.
      throw new RegistryError(
        'unavailable',
        'the configured proxy is not a valid URL (expected scheme://[user:pass@]host[:port])',
      );
    }
    const tlsOptions = this.tls();
    return {
      proxied: true,
      httpAgent: this.pool(
        (keepAlive) => new HttpProxyAgent(parsed, { keepAlive, keepAliveMsecs: TCP_KEEPALIVE_MS }),
      ),
      httpsAgent: this.pool(
        (keepAlive) => new VerifyingHttpsProxyAgent(parsed, tlsOptions, keepAlive),
      ),
    };
  }

  private tls(): tls.ConnectionOptions {
    if (this.tlsOptions !== undefined) {
      return this.tlsOptions;
    }
    const options: tls.ConnectionOptions = { rejectUnauthorized: !this.settings.insecure };
    const caFile = this.settings.caFile;
    if (caFile !== undefined) {
      let pem: string;
      try {
        pem = readFileSync(caFile, 'utf8');
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new RegistryError('tls', `cannot read ca_file ${caFile}: ${reason}`);
      }
      // `ca` replaces Node's bundled roots: keep them so that public registries still verify.
      options.ca = [...tls.rootCertificates, pem];
    }
    this.tlsOptions = options;
    return options;
  }
}
