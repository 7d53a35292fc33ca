import { ContainerModule } from 'inversify';
import { Logger } from '../application/ports/logger.port.js';
import { Registry } from '../application/ports/registry.port.js';
import { askCredentialHelper } from '../adapters/registry/auth/credential-helper.js';
import { loginSourceOf } from '../adapters/registry/auth/login.js';
import { RegistryAuth } from '../adapters/registry/auth/registry-auth.js';
import {
  HttpDockerRegistry,
  HttpDockerRegistryOptions,
} from '../adapters/registry/http-docker-registry.adapter.js';
import { ManifestCopies } from '../adapters/registry/manifests/manifest-copies.js';
import {
  ManifestResolver,
  RepositorySend,
} from '../adapters/registry/manifests/manifest-resolver.js';
import { RecentManifests } from '../adapters/registry/manifests/recent-manifests.js';
import { Referrers } from '../adapters/registry/manifests/referrers.js';
import {
  normaliseBaseUrl,
  RegistryBaseUrl,
  RegistrySettings,
} from '../adapters/registry/registry-settings.js';
import { RepositorySender } from '../adapters/registry/repository-sender.js';
import { axiosExchange, HttpExchange } from '../adapters/registry/transport/exchange.js';
import { noProxyFrom } from '../adapters/registry/transport/proxy.js';
import { bottleneckRateCeiling } from '../adapters/registry/transport/rate-ceiling.js';
import {
  RegistryHttpClient,
  type RegistryHttpClientOptions,
} from '../adapters/registry/transport/registry-http-client.js';
import { RequestGate, RequestLimiter } from '../adapters/registry/transport/request-limiter.js';
import { RequestStats } from '../adapters/shared/http/request-stats.js';
import { DEFAULT_RETRY_POLICY } from '../adapters/shared/http/retry-policy.js';
import { RegistryAddress } from '../adapters/shared/registry-address.js';

/**
 * The Registry port and the parts that serve it, each a singleton: one transport (one request
 * gate, one pool of connections), one token cache, one resolver and one count of requests for
 * every job of the process (a transient gate would limit nothing). The registry cache
 * (ManifestCache) is bound beside it: a file in the state folder, or memory in tests.
 * HttpDockerRegistryOptions holds test hooks only; tests rebind it, or HttpExchange.
 */
export function registryModule(settings: RegistrySettings, stop?: AbortSignal): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(RegistrySettings).toConstantValue(settings);
    bind(RegistryBaseUrl).toConstantValue(normaliseBaseUrl(settings.url));
    // What reports and notifications name; they never see the registry's settings.
    bind(RegistryAddress).toConstantValue({
      url: settings.url,
      ...(settings.credentialsFrom === undefined
        ? {}
        : { credentialsFrom: settings.credentialsFrom }),
    });
    bind(HttpDockerRegistryOptions).toConstantValue({});
    // The benchmark and the request metrics read the one count of the process.
    bind(RequestStats).toSelf().inSingletonScope();
    bind(HttpExchange).toConstantValue(axiosExchange);
    // `max_concurrent_requests`, shared by every job, the catalog and the token requests.
    bind(RequestGate)
      .toResolvedValue(() => new RequestLimiter(Math.max(1, settings.maxConcurrentRequests)))
      .inSingletonScope();
    bind(RegistryHttpClient)
      .toResolvedValue(
        (
          hooks: HttpDockerRegistryOptions,
          gate: RequestLimiter,
          exchange: HttpExchange,
          logger: Logger,
          stats: RequestStats,
        ) =>
          new RegistryHttpClient(
            clientOptions(settings, hooks, stop, { gate, exchange, logger, stats }),
          ),
        [HttpDockerRegistryOptions, RequestGate, HttpExchange, Logger, RequestStats],
      )
      .inSingletonScope();
    bind(RegistryAuth)
      .toResolvedValue(
        (hooks: HttpDockerRegistryOptions, http: RegistryHttpClient, baseUrl: string) => {
          const now = hooks.now ?? ((): Date => new Date());
          // A credential helper runs with this process's environment (PATH finds it), bounded
          // by the request timeout.
          const env = hooks.env ?? process.env;
          const login = loginSourceOf(settings, (helper, server) =>
            askCredentialHelper(helper, server, { timeoutMs: settings.timeoutMs, env }),
          );
          return new RegistryAuth(http, baseUrl, login, now);
        },
        [HttpDockerRegistryOptions, RegistryHttpClient, RegistryBaseUrl],
      )
      .inSingletonScope();
    // Manifests a real run read lately: its journal takes their bytes from memory (issue 16).
    bind(RecentManifests).toSelf().inSingletonScope();
    bind(RepositorySender).toSelf().inSingletonScope();
    bind(RepositorySend)
      .toResolvedValue((sender: RepositorySender) => sender.send, [RepositorySender])
      .inSingletonScope();
    bind(ManifestResolver).toSelf().inSingletonScope();
    bind(ManifestCopies).toSelf().inSingletonScope();
    // Whether the registry has the referrers API is found once and remembered (issue 21).
    bind(Referrers).toSelf().inSingletonScope();
    bind(HttpDockerRegistry).toSelf().inSingletonScope();
    bind(Registry).toService(HttpDockerRegistry);
  });
}

/**
 * The transport's settings, parts and test hooks (retry timing, clock) that are set. A hook's
 * policy wins; else config.yaml's retry_base_delay over the defaults; else the defaults.
 */
function clientOptions(
  settings: RegistrySettings,
  hooks: HttpDockerRegistryOptions,
  stop: AbortSignal | undefined,
  parts: Pick<RegistryHttpClientOptions, 'gate' | 'exchange' | 'logger' | 'stats'>,
): RegistryHttpClientOptions {
  const noProxy = noProxyFrom(hooks.env ?? process.env);
  const retryPolicy =
    hooks.retryPolicy ??
    (settings.retryBaseDelayMs === undefined
      ? undefined
      : { ...DEFAULT_RETRY_POLICY, baseDelayMs: settings.retryBaseDelayMs });
  return {
    ...parts,
    timeoutMs: settings.timeoutMs,
    ...(settings.maxRequestsPerSecond !== undefined
      ? { rateCeiling: bottleneckRateCeiling(settings.maxRequestsPerSecond) }
      : {}),
    httpLogs: settings.httpLogs,
    insecure: settings.insecure,
    ...(settings.proxy !== undefined ? { proxy: settings.proxy } : {}),
    ...(noProxy !== undefined ? { noProxy } : {}),
    ...(settings.caFile !== undefined ? { caFile: settings.caFile } : {}),
    ...(hooks.now !== undefined ? { now: hooks.now } : {}),
    ...(retryPolicy !== undefined ? { retryPolicy } : {}),
    ...(hooks.sleep !== undefined ? { sleep: hooks.sleep } : {}),
    ...(hooks.random !== undefined ? { random: hooks.random } : {}),
    ...(stop === undefined ? {} : { stop }),
  };
}
